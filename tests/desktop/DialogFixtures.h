#pragma once

#include <memory>
#include <string>
#include <vector>

#include <QImage>

#include "firmante/prompt/PromptText.h"

namespace firmante::testing {

/// A PIN question for a new key, as the agent composes it (fields already sanitised).
prompt::PromptText pinForNewKey();
/// The deletion of the previous key at renewal.finish.
prompt::PromptText deletion();
/// A new site asking to use the certificates.
prompt::PromptText siteConsent(const std::string& site);
/// The tray's question before a site's permission is revoked.
prompt::PromptText revokeSite(const std::string& site);
/// A batch of three documents on an unlocked token.
prompt::PromptText batch();

/// A renewal acceptance letter rendered by the reference portal for a fresh RSA key, and the
/// marks the agent's letter check derives for that key.
struct Letter {
    std::shared_ptr<const std::vector<unsigned char>> pdf;
    std::vector<std::string> marksOfItsKey;
    std::vector<std::string> marksOfAnotherKey;
};
const Letter& portalLetter();
/// The letter confirmation renewal.sign_letter shows on a token unlocked for the renewal.
prompt::PromptText letterConfirmation(const Letter& letter, bool itsOwnMarks = true);

/// Pixels of the highlight's yellow over the page's white (what a person sees as "marked").
int highlightedPixels(const QImage& image);

}  // namespace firmante::testing
