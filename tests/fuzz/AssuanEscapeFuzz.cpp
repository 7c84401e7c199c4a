// The Assuan escaping between the agent and pinentry (firmante::prompt::assuanEscape / decode).
// Properties: escaped text never contains CR or LF (which would end the command early and let
// prompt text inject a second Assuan command); decoding the escape gives back the exact input;
// decoding arbitrary pinentry data either succeeds identically into a Secret and a string, or
// fails with pkcs11::Error on both.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "FuzzCheck.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Secret.h"
#include "firmante/prompt/AssuanEscape.h"

namespace prompt = firmante::prompt;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    const std::string escaped = prompt::assuanEscape(text);
    FUZZ_CHECK(escaped.find('\n') == std::string::npos);
    FUZZ_CHECK(escaped.find('\r') == std::string::npos);
    FUZZ_CHECK(prompt::assuanDecode(escaped) == text);

    std::optional<std::string> plain;
    try {
        plain = prompt::assuanDecode(text);
    } catch (const firmante::pkcs11::Error&) {
    }
    firmante::pkcs11::Secret secret;
    bool secretOk = true;
    try {
        prompt::assuanDecodeInto(text, secret);
    } catch (const firmante::pkcs11::Error&) {
        secretOk = false;
    }
    FUZZ_CHECK(secretOk == plain.has_value());
    if (plain) {
        FUZZ_CHECK(std::string_view(secret.data(), secret.size()) == *plain);
        FUZZ_CHECK(plain->size() <= text.size());
    }
    return 0;
}
