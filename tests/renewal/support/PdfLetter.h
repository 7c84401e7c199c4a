#pragma once

#include <string>
#include <vector>

#include "firmante/pkcs11/Types.h"

namespace firmante::renewal::testing {

/// A real PDF (libharu, Helvetica, A4) with one text line per entry, flowing onto new pages.
/// ASCII only: the standard font's encoding is not UTF-8.
pkcs11::Bytes makePdfLetter(const std::vector<std::string>& lines);

/// A line of a test letter and how it is drawn.
struct PdfLine {
    enum class Look {
        Visible,
        WhiteText,      // white on the white page: found by a text search, seen by nobody
        CoveredByFill,  // drawn in black, then a white rectangle painted over it
    };
    std::string text;
    Look look = Look::Visible;
    bool startsPage = false;  // begins a new page
};

/// As makePdfLetter, each line drawn its own way. The line that is the i-th of its page has its
/// baseline kLetterTop + i * kLetterLeading points from the top of an A4 page (kA4Height high).
pkcs11::Bytes makeStyledPdfLetter(const std::vector<PdfLine>& lines);
inline constexpr double kLetterTop = 50, kLetterLeading = 14, kA4Height = 841.89;

/// An acceptance letter stating `newSpkiHex` under "Llave Publica Nueva" and `oldSpkiHex` under
/// "Llave Publica Anterior", both visible, and carrying one more copy of the new key that a
/// reader does not see (`hiddenLook`): WhiteText on page 1 before any heading, with the honest
/// block on page 2; CoveredByFill on page 1 below the honest block, on the same page. Says where
/// each block is (0-based page, the lines' vertical extent as a share of the page's height).
struct HiddenCopyLetter {
    pkcs11::Bytes pdf;
    int visiblePage = 0;
    double visibleTop = 0, visibleBottom = 0;
    int hiddenPage = 0;
    double hiddenTop = 0, hiddenBottom = 0;
};
HiddenCopyLetter letterWithHiddenKeyCopy(const std::string& newSpkiHex,
                                         const std::string& oldSpkiHex, PdfLine::Look hiddenLook);

/// `spacedHex` ("03 42 00 04 …") split over lines of `pairsPerLine` pairs, as a letter prints it.
std::vector<std::string> wrapHex(const std::string& spacedHex, std::size_t pairsPerLine = 20);

}  // namespace firmante::renewal::testing
