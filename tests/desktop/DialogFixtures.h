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

/// An acceptance letter whose new key is printed visibly under its heading and also hidden
/// elsewhere (renewal::testing::letterWithHiddenKeyCopy: white text on page 1, or covered by a
/// white fill below the honest block), composed as renewal.sign_letter shows it: the letter
/// check's findings on it included. `where` says where each copy is.
struct HiddenCopyLetter {
    prompt::PromptText text;
    int visiblePage = 0;
    double visibleTop = 0, visibleBottom = 0;  // shares of the page's height
    int hiddenPage = 0;
    double hiddenTop = 0, hiddenBottom = 0;
};
HiddenCopyLetter hiddenCopyLetter(bool whiteText);

/// Pixels of the highlight's yellow over the page's white (what a person sees as "marked").
int highlightedPixels(const QImage& image);

}  // namespace firmante::testing
