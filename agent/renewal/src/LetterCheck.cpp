#include "firmante/renewal/LetterCheck.h"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <utility>

#include "LetterText.h"
#include "VisibleText.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/renewal/LetterHeadings.h"

namespace firmante::renewal {

Bilingual checkRenewalLetter(std::span<const unsigned char> pdf,
                             const LetterExpectation& expected) {
    const std::vector<std::string> words = letterWords(visibleLetterText(pdf));
    if (const auto problem = letterProblem(words, expected))
        throw pkcs11::Error(pkcs11::Reason::LetterMismatch,
                            *problem +
                                " No se firmó nada: descargue de nuevo la carta de esta "
                                "renovación.");
    // The headings are quoted as the letter prints them, in Spanish, in both sentences.
    Bilingual check{"La carta muestra, bajo «" + std::string(headings::kNewKey) +
                        "», la llave generada en su token",
                    "The letter shows, under “" + std::string(headings::kNewKey) +
                        "”, the key generated on your token"};
    if (!expected.previousSha1.empty()) {
        check.es += ", y la " + std::string(headings::kPreviousLetter) + " que usted firmó (" +
                    expected.previousSha1 + ")";
        check.en += ", and the “" + std::string(headings::kPreviousLetter) +
                    "” of the letter you signed (" + expected.previousSha1 + ")";
    }
    check.es += ".";
    check.en += ".";
    return check;
}

std::vector<std::string> letterMarks(const LetterExpectation& expected) {
    std::vector<std::string> pairs;
    std::string pair;
    for (char c : expected.newKeyHex) {
        if (!std::isxdigit(static_cast<unsigned char>(c))) continue;
        pair.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        if (pair.size() == 2) pairs.push_back(std::exchange(pair, {}));
    }
    // The first 16 bytes (BIT STRING, SEQUENCE, algorithm, modulus or point header) and the
    // last 8 (RSA exponent) are the same in every key of a type.
    constexpr std::size_t kHead = 16, kTail = 8, kGroup = 4;
    std::vector<std::string> marks;
    for (std::size_t i = kHead; i + kGroup + kTail <= pairs.size(); i += kGroup) {
        std::string group;
        for (std::size_t j = 0; j < kGroup; ++j) group += (j ? " " : "") + pairs[i + j];
        marks.push_back(std::move(group));
    }
    if (!expected.previousSha1.empty()) marks.push_back(expected.previousSha1);
    return marks;
}

bool carriesRenewalHeadings(std::span<const unsigned char> document) {
    const std::string_view head(reinterpret_cast<const char*>(document.data()),
                                std::min<std::size_t>(document.size(), 1024));
    if (head.find("%PDF-") == std::string_view::npos) return false;
    return hasRenewalHeading(letterWords(anyPdfText(document)));
}

std::string spkiFingerprint(std::span<const unsigned char> spkiDer) {
    const std::string hex = pkcs11::toHex(pkcs11::sha256(spkiDer));
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 4) {
        if (i) out.push_back(' ');
        out += hex.substr(i, 4);
    }
    return out;
}

}  // namespace firmante::renewal
