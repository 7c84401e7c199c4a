#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "firmante/renewal/Bilingual.h"

namespace firmante::renewal {

/// What a renewal letter must state (DESIGN §3 rule 4). Hex in the `spkiHex` form ("03 82 01 0f
/// …") or plain; case and spacing do not matter. Empty fields are not required.
struct LetterExpectation {
    std::string newKeyHex;     // the key this renewal generated
    std::string oldKeyHex;     // the current certificate's key (acceptance letter)
    std::string previousSha1;  // the acceptance letter's SHA-1 (terms letter)
};

/// Where, on the letter as a viewer draws it, the check found something it accepted: a rectangle
/// around one line's worth of visible glyphs, on page `page` (0-based), in shares (0–1) of the
/// page's width and height as it is shown (crop box, rotation applied), from its top-left corner.
struct LetterBox {
    enum class Shows { NewKey, PreviousLetter };
    Shows shows = Shows::NewKey;
    int page = 0;
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

/// Checks a PDF renewal letter against `expected`, judging only what a PDF viewer draws: one
/// revision, no JavaScript, embedded files, forms, layers or annotations that draw; only glyphs
/// that are painted, legible, inside the page and its clip and not covered count, and the text
/// each glyph draws is read, not /ActualText. Returns the sentence the prompt shows on success,
/// in both languages. Throws pkcs11::Error(LetterMismatch) with an es-MX message ending in "No se
/// firmó nada."
///
/// With `found`, an accepted letter also yields where the check found it (the dialog boxes these,
/// issue 12 §2): the visible glyphs of the new key's block under each new-key heading that states
/// it — without its first 16 and last 8 bytes, the DER header and RSA exponent every key of its
/// type shares — and of the previous letter's SHA-1, one box per line they are printed on. A copy
/// a reader does not see (white, covered, outside the page) is never among them.
Bilingual checkRenewalLetter(std::span<const unsigned char> pdf, const LetterExpectation& expected,
                             std::vector<LetterBox>* found = nullptr);

/// Whether `document` is a PDF that carries a renewal letter's headings anywhere in its text,
/// drawn or not (documents.sign refuses those: renewal letters go through renewal.sign_letter).
/// A document that is not a readable PDF carries none. Throws pkcs11::Error(Internal) only when
/// the PDF reader module cannot be loaded (then nothing may be signed).
bool carriesRenewalHeadings(std::span<const unsigned char> document);

/// Whether firmante-pdf, the module that reads letters with poppler, can be loaded: nullopt when
/// it can, else where it was looked for and why it failed (for `firmante doctor`). Loads it.
std::optional<std::string> pdfReaderProblem();

/// SHA-256 of a DER SubjectPublicKeyInfo as 16 groups of four lower-case hex digits ("3f2a 91c0
/// …"): what the prompt and the portal's page both show so a person can compare them.
std::string spkiFingerprint(std::span<const unsigned char> spkiDer);

}  // namespace firmante::renewal
