#pragma once

#include <QString>

#include "firmante/desktop/Language.h"
#include "firmante/prompt/PromptText.h"

namespace firmante::desktop {

/// The rows a dialog can show, in the order it shows them.
enum class Row { Site, Operation, File, Sha256, Token, Key, Check, Fingerprint };

/// A row's label ("Sitio", "Site"…).
QString rowLabel(Row row, Language language);
/// The line above the rows, in words: the question or what the PIN is for.
QString headingOf(const prompt::PromptDetails& details, Language language);
/// The label of the button that switches to the other language, written in that language.
QString otherLanguageLabel(Language shown);
/// The structured form of a text that came without one (a caller that only set the plain texts).
prompt::PromptDetails detailsOf(const prompt::PromptText& text, bool asksPin);

}  // namespace firmante::desktop
