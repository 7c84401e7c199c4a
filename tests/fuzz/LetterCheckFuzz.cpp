// The letter check on a letter's words (firmante::renewal::letterWords and letterProblem), as
// checkRenewalLetter calls them after the visible text is read. Input: byte 0 picks the stage; the
// bytes up to the first NUL are the key (padded to a key-sized block), the rest is the text.
// Properties: words are never empty and carry no ASCII capitals or spaces; folding the words again
// changes nothing; a genuine letter (the heading, our key, nothing else key-shaped) is accepted,
// and the same letter naming a different key under the heading is refused.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "FuzzCheck.h"
#include "LetterText.h"

using firmante::renewal::LetterExpectation;
using firmante::renewal::letterProblem;
using firmante::renewal::letterWords;

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

std::string joined(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) {
        if (!out.empty()) out.push_back(' ');
        out += w;
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const unsigned mode = data[0];
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    const auto nul = rest.find('\0');
    if (nul == std::string_view::npos) return 0;

    const auto words = letterWords(rest.substr(nul + 1));
    for (const auto& w : words) {
        FUZZ_CHECK(!w.empty());
        for (char c : w) FUZZ_CHECK(!(c >= 'A' && c <= 'Z') && c != ' ');
    }
    FUZZ_CHECK(letterWords(joined(words)) == words);

    // A key block is at least 64 hex digits: pad short keys deterministically.
    std::string key(rest.substr(0, std::min<std::size_t>(nul, 64)));
    while (key.size() < 32) key.push_back(static_cast<char>(key.size() * 37 + 1));
    // Any bytes: a key whose hex digits are all letters (a–f) is a key too.
    LetterExpectation expected;
    expected.newKeyHex = hexPairs(key);
    (void)letterProblem(words, expected);  // any text: an answer, never a crash

    const std::string genuine = (mode & 1 ? "LLAVE PÚBLICA NUEVA: " : "Llave Pública Nueva ") +
                                expected.newKeyHex + " gracias";
    FUZZ_CHECK(!letterProblem(letterWords(genuine), expected).has_value());
    std::string other = key;
    other[0] = static_cast<char>(other[0] ^ 0x5a);
    const std::string foreign = "Llave Pública Nueva: " + hexPairs(other) + " gracias";
    FUZZ_CHECK(letterProblem(letterWords(foreign), expected).has_value());
    return 0;
}
