#include "RenewalFixture.h"

#include "firmante/portal/LetterRenderer.h"

#include <regex>
#include <sstream>

namespace firmante::portal::test {
namespace {

class PortalLetter : public RenewalFixture {};

/// Lines of the extracted text that consist only of hex pairs.
std::vector<std::string> hexLines(const std::string& text) {
    static const std::regex pairs(R"(^\s*[0-9a-f]{2}( [0-9a-f]{2})+\s*$)");
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (std::regex_match(line, pairs)) out.push_back(line);
    return out;
}

TEST_F(PortalLetter, AcceptanceLetter_StatesBothKeysInTheManualLayout) {
    runTo(5);
    std::string text = pdfText(letter1_);
    std::string flat = collapseWhitespace(text);
    EXPECT_NE(flat.find("Carta de Aceptación de Renovación de Certificado Digital"),
              std::string::npos);
    EXPECT_NE(flat.find("Llave Pública Nueva " + spkiHex(spkiDer(newKey_)) +
                        " Llave Pública Anterior " + spkiHex(spkiDer(oldKey_))),
              std::string::npos);
    // RSA-2048: the BIT STRING starts "03 82 01 0f 00 30 82 01 0a 02 82 01 01 00".
    EXPECT_EQ(spkiHex(spkiDer(newKey_)).rfind("03 82 01 0f 00 30 82 01 0a 02 82 01 01 00", 0), 0u);
    // Wrapped at 22 pairs a line, as in the manual.
    auto lines = hexLines(text);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(collapseWhitespace(lines.front()).size(), 22u * 3 - 1);
}

TEST_F(PortalLetter, AcceptanceLetter_CarriesFolioEmployerDataAndTheTenTerms) {
    runTo(5);
    std::string flat = collapseWhitespace(pdfText(letter1_));
    static const std::regex folio(R"(No\. De Folio: ([0-9a-f]{2} ){15}[0-9a-f]{2})");
    EXPECT_TRUE(std::regex_search(flat, folio)) << flat;
    EXPECT_NE(flat.find("Usuario: A064878710"), std::string::npos);
    EXPECT_NE(flat.find("NPIE: A0648787102"), std::string::npos);
    EXPECT_NE(flat.find("Correo Electrónico: rh@prueba4.example"), std::string::npos);
    EXPECT_NE(flat.find("Registro Patronal A064878710-7"), std::string::npos);
    EXPECT_NE(flat.find("TÉRMINOS Y CONDICIONES."), std::string::npos);
    EXPECT_NE(flat.find("10. Para obtener acceso"), std::string::npos);
    EXPECT_NE(flat.find("INSTITUTO MEXICANO DEL SEGURO SOCIAL"), std::string::npos);
    EXPECT_NE(flat.find(LetterRenderer::spanishDate(now_)), std::string::npos);
}

TEST_F(PortalLetter, TermsLetter_CarriesTheSha1OfTheSignedAcceptanceLetter) {
    runTo(10);
    std::string flat = collapseWhitespace(pdfText(letter2_));
    EXPECT_NE(flat.find("Cadena de Identificación de Carta Anterior " + hexUpper(sha1(letter1_))),
              std::string::npos);
    EXPECT_NE(flat.find("Llave Pública Nueva " + spkiHex(spkiDer(newKey_))), std::string::npos);
    std::string folio1 = collapseWhitespace(pdfText(letter1_));
    folio1 = folio1.substr(folio1.find("No. De Folio:"), 60);
    EXPECT_NE(flat.find(folio1), std::string::npos);
}

TEST(PortalLetterFormat, SpkiHex_IsTheBitStringWithTagLengthAndUnusedBitsByte) {
    auto ec = makeEcKey();
    std::string hex = spkiHex(spkiDer(ec.get()));
    // P-256: 65-byte uncompressed point → BIT STRING 03 42 00 04 …
    EXPECT_EQ(hex.rfind("03 42 00 04 ", 0), 0u);
    EXPECT_EQ(hex.size(), 68u * 3 - 1);
}

TEST(PortalLetterFormat, SpanishDate_SpellsTheMonthInCapitals) {
    std::tm tm{};
    tm.tm_year = 2005 - 1900;
    tm.tm_mon = 10;
    tm.tm_mday = 14;
    tm.tm_hour = 12;
    auto t = std::chrono::system_clock::from_time_t(timegm(&tm));
    EXPECT_EQ(LetterRenderer::spanishDate(t), "A 14 DE NOVIEMBRE DE 2005");
}

}  // namespace
}  // namespace firmante::portal::test
