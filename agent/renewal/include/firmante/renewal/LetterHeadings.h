#pragma once

#include <string_view>

// The headings of the renewal letters (the manual's wording), one copy for the letter check's
// sentences and for the reference portal's letter renderer (tests/portal/src/LetterRenderer.cpp).
// The check itself accepts other wordings too ("nueva llave", "new public key"; LetterText.cpp);
// a test holds these to it (RenewalLetterText.TheHeadingsThePortalPrintsAreTheOnesTheCheckReads).

namespace firmante::renewal::headings {

/// Above the new key's hex, in both letters.
inline constexpr std::string_view kNewKey = "Llave Pública Nueva";
/// Above the current (expired) key's hex, in both letters.
inline constexpr std::string_view kOldKey = "Llave Pública Anterior";
/// Above the SHA-1 of the acceptance letter, in the terms letter.
inline constexpr std::string_view kPreviousLetter = "Cadena de Identificación de Carta Anterior";

}  // namespace firmante::renewal::headings
