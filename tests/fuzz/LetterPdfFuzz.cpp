// The letter's PDF text extraction (firmante::renewal::letterText, poppler-cpp) on any bytes a
// portal can send as a letter. Properties: refusal is pkcs11::Error(LETTER_MISMATCH), never another
// exception or a crash in our code; the text that comes out is already in normalized form.
// Poppler itself is not instrumented, so this finds bugs in how we drive it, not inside it.
#include <cstdint>
#include <span>
#include <string>

#include <poppler-global.h>

#include "FuzzCheck.h"
#include "LetterText.h"
#include "firmante/pkcs11/Error.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // Poppler reports every syntax error on stderr; at thousands of inputs a second that is noise.
    poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text;
    try {
        text = firmante::renewal::letterText(std::span<const unsigned char>(data, size));
    } catch (const firmante::pkcs11::Error& e) {
        FUZZ_CHECK(e.reason() == firmante::pkcs11::Reason::LetterMismatch);
        return 0;
    }
    FUZZ_CHECK(firmante::renewal::normalizeLetterText(text) == text);
    return 0;
}
