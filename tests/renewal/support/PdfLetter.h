#pragma once

#include <string>
#include <vector>

#include "firmante/pkcs11/Types.h"

namespace firmante::renewal::testing {

/// A real PDF (libharu, Helvetica, A4) with one text line per entry, flowing onto new pages.
/// ASCII only: the standard font's encoding is not UTF-8.
pkcs11::Bytes makePdfLetter(const std::vector<std::string>& lines);

/// `spacedHex` ("03 42 00 04 …") split over lines of `pairsPerLine` pairs, as a letter prints it.
std::vector<std::string> wrapHex(const std::string& spacedHex, std::size_t pairsPerLine = 20);

}  // namespace firmante::renewal::testing
