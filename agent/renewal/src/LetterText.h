#pragma once

#include <span>
#include <string>
#include <string_view>

namespace firmante::renewal {

/// The text a person reads in a PDF letter, every page, extracted with poppler, every run of
/// whitespace collapsed to one space and ASCII letters lower-cased — the form in which the
/// letter's key (spkiHex) and previous-letter hash are compared (conventions: a letter may wrap
/// the key over lines). Throws pkcs11::Error(LetterMismatch) when the bytes are not a readable PDF.
std::string letterText(std::span<const unsigned char> pdf);

/// Collapses whitespace runs to one space, trims both ends, lower-cases ASCII letters.
std::string normalizeLetterText(std::string_view text);

}  // namespace firmante::renewal
