// The letter check on extracted text (firmante::renewal::normalizeLetterText and letterStates),
// as RenewalManager calls them. Input: byte 0 picks the headings and mustAppear; the bytes up to
// the first NUL are the key (written as spkiHex writes it, hex pairs), the rest is the letter text.
// Properties: normalizing is idempotent and leaves no capitals, control whitespace, double or
// edge spaces; a letter that "states" the value with mustAppear contains it; a letter whose only
// hex under the heading is the value itself is accepted.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "FuzzCheck.h"
#include "LetterText.h"

using firmante::renewal::letterStates;
using firmante::renewal::normalizeLetterText;

namespace {

std::string hexPairs(std::string_view bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        if (!out.empty()) out.push_back(' ');
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

void checkNormalized(const std::string& text) {
    FUZZ_CHECK(normalizeLetterText(text) == text);
    FUZZ_CHECK(text.empty() || (text.front() != ' ' && text.back() != ' '));
    FUZZ_CHECK(text.find("  ") == std::string::npos);
    for (char c : text) FUZZ_CHECK(!(c >= 'A' && c <= 'Z') && c != '\n' && c != '\t' && c != '\r');
}

bool states(unsigned which, const std::string& text, const std::string& value, bool mustAppear) {
    // The heading sets RenewalManager uses (new key, previous key, previous letter's hash).
    switch (which % 3) {
        case 0:
            return letterStates(text, {"llave pública nueva", "llave publica nueva"}, value,
                                mustAppear);
        case 1:
            return letterStates(text, {"llave pública anterior", "llave publica anterior"}, value,
                                mustAppear);
        default:
            return letterStates(text,
                                {"cadena de identificación de carta anterior",
                                 "cadena de identificacion de carta anterior"},
                                value, mustAppear);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const unsigned mode = data[0];
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    const auto nul = rest.find('\0');
    if (nul == std::string_view::npos) return 0;
    const std::string value = hexPairs(rest.substr(0, nul));
    const std::string text = normalizeLetterText(rest.substr(nul + 1));
    checkNormalized(text);
    if (value.empty()) return 0;  // RenewalManager never checks an empty key

    const bool mustAppear = mode & 4;
    if (states(mode >> 3, text, value, mustAppear) && mustAppear)
        FUZZ_CHECK(text.find(value) != std::string::npos);

    // The genuine letter: heading, separator, our key and nothing else hex-shaped after it.
    static const char* headings[] = {"llave pública nueva: ", "llave pública anterior ",
                                     "cadena de identificación de carta anterior: "};
    const unsigned which = (mode >> 3) % 3;
    const std::string genuine = std::string(headings[which]) + value + " gracias";
    FUZZ_CHECK(states(which, genuine, value, true));
    return 0;
}
