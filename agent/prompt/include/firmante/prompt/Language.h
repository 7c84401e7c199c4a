#pragma once

#include <string>

#include "firmante/prompt/PromptText.h"

namespace firmante::prompt {

/// The one language a dialog shows at a time (issue 12: never both at once).
enum class Language { Spanish, English };

/// Spanish unless the locale names another language: LC_ALL, else LC_MESSAGES, else LANG; a
/// value starting with "es", empty, "C" or "POSIX" gives Spanish (the people Firmante serves read
/// es-MX; a machine left in the C locale is no sign of an English reader), any other language
/// English. Every dialog also offers the other language on a button; a pinentry description too
/// long for both languages is shown in this one (PromptAuthorizer).
Language languageFromEnvironment();

/// The text of `words` in `language`.
const std::string& in(Language language, const Bilingual& words);

}  // namespace firmante::prompt
