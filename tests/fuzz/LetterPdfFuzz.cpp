// The whole letter check (firmante::renewal::checkRenewalLetter: PDF structure, visible glyphs
// through poppler's core, then the words) and documents.sign's heading test on any bytes a portal
// can send as a letter. Properties: a refusal is pkcs11::Error(LETTER_MISMATCH), never another
// exception or a crash in our code; carriesRenewalHeadings never throws.
// Poppler itself is not instrumented, so this finds bugs in how we drive it, not inside it.
#include <cstdint>
#include <span>
#include <string>

#include "FuzzCheck.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/renewal/LetterCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const unsigned char> pdf(data, size);
    (void)firmante::renewal::carriesRenewalHeadings(pdf);
    firmante::renewal::LetterExpectation expected;
    expected.newKeyHex = std::string(64 * 3 - 1, ' ');
    for (std::size_t i = 0; i < 64; ++i) {
        expected.newKeyHex[i * 3] = "0123456789abcdef"[i % 16];
        expected.newKeyHex[i * 3 + 1] = "fedcba9876543210"[i % 16];
    }
    try {
        (void)firmante::renewal::checkRenewalLetter(pdf, expected);
    } catch (const firmante::pkcs11::Error& e) {
        FUZZ_CHECK(e.reason() == firmante::pkcs11::Reason::LetterMismatch);
    }
    return 0;
}
