#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace firmante::renewal {

/// The text a person reads in a PDF letter, every page, extracted with poppler, every run of
/// whitespace collapsed to one space and ASCII letters lower-cased — the form in which the
/// letter's key (spkiHex) and previous-letter hash are compared (conventions: a letter may wrap
/// the key over lines). Throws pkcs11::Error(LetterMismatch) when the bytes are not a readable PDF.
std::string letterText(std::span<const unsigned char> pdf);

/// Collapses whitespace runs to one space, trims both ends, lower-cases ASCII letters and the
/// accented Latin-1 capitals (Á É Í Ó Ú Ñ Ü…).
std::string normalizeLetterText(std::string_view text);

/// Whether a normalized letter text states `value` (normalized hex) under its headings: every
/// place where one of `headings` (normalized) is directly followed by a hex value must show
/// exactly `value` there — so a letter cannot name another key as "Llave Pública Nueva" while
/// mentioning ours elsewhere. With `mustAppear`, `value` must also occur somewhere in the text.
bool letterStates(const std::string& text, std::initializer_list<std::string_view> headings,
                  const std::string& value, bool mustAppear);

}  // namespace firmante::renewal
