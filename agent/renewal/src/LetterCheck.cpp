#include "firmante/renewal/LetterCheck.h"

#include <algorithm>
#include <string_view>

#include "LetterText.h"
#include "VisibleText.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Error.h"

namespace firmante::renewal {

std::string checkRenewalLetter(std::span<const unsigned char> pdf,
                               const LetterExpectation& expected) {
    const std::vector<std::string> words = letterWords(visibleLetterText(pdf));
    if (const auto problem = letterProblem(words, expected))
        throw pkcs11::Error(pkcs11::Reason::LetterMismatch,
                            *problem +
                                " No se firmó nada: descargue de nuevo la carta de esta "
                                "renovación.");
    std::string check =
        "La carta muestra, bajo «Llave Pública Nueva», la llave generada en su token";
    if (!expected.previousSha1.empty())
        check += ", y la Cadena de Identificación de la Carta Anterior que usted firmó (" +
                 expected.previousSha1 + ")";
    return check + ".";
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
