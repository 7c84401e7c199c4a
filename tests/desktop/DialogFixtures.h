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

/// A renewal acceptance letter rendered by the reference portal for a fresh RSA key, and where
/// the agent's letter check found that key on it (checked against that key, and against another
/// key, which it refuses: no boxes).
struct Letter {
    std::shared_ptr<const std::vector<unsigned char>> pdf;
    std::vector<prompt::PageBox> boxesOfItsKey;
    std::vector<prompt::PageBox> boxesOfAnotherKey;
};
const Letter& portalLetter();
/// The letter confirmation renewal.sign_letter shows on a token unlocked for the renewal.
prompt::PromptText letterConfirmation(const Letter& letter, bool itsOwnKey = true);

/// The boxes checkRenewalLetter yields for `pdf` against `expected`, as the agent passes them to
/// the dialog; none when the check refuses the letter.
std::vector<prompt::PageBox> checkedBoxes(const std::vector<unsigned char>& pdf,
                                          const std::string& newKeyHex,
                                          const std::string& oldKeyHex);

/// An acceptance letter whose new key is printed visibly under its heading and also hidden
/// elsewhere (renewal::testing::letterWithHiddenKeyCopy: white text on page 1, or covered by a
/// white fill below the honest block), composed as renewal.sign_letter shows it: the letter
/// check's boxes on it included. Says where each copy is.
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
