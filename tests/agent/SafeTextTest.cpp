// prompt::safeText, the one sanitiser for text from outside, on the attacker's strings.
#include <gtest/gtest.h>

#include <random>

#include "firmante/prompt/SafeText.h"

using firmante::prompt::safeText;
using firmante::prompt::Shorten;

namespace {

std::size_t characters(const std::string& utf8) {
    std::size_t n = 0;
    for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
    return n;
}

// Strict UTF-8 check, independent of the code under test's decoder.
bool validUtf8(const std::string& s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t n = b < 0x80         ? 1
                        : (b >> 5) == 6  ? 2
                        : (b >> 4) == 14 ? 3
                        : (b >> 3) == 30 ? 4
                                         : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (std::size_t k = 1; k < n; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        }
        i += n;
    }
    return true;
}

}  // namespace

TEST(SafeText, BidiSeparatorsControlsAndZeroWidthAreShownAsHexPairs) {
    EXPECT_EQ(safeText("factura\xE2\x80\xAE"
                       "fdp.exe",
                       80),
              "factura\\E2\\80\\AEfdp.exe");
    EXPECT_EQ(safeText("a\xE2\x80\xA8"
                       "b\xE2\x80\xA9"
                       "c\xC2\x85"
                       "d",
                       80),
              "a\\E2\\80\\A8b\\E2\\80\\A9c\\C2\\85d");
    EXPECT_EQ(safeText("x\xE2\x81\xA6y\xE2\x81\xA9z", 80), "x\\E2\\81\\A6y\\E2\\81\\A9z");
    EXPECT_EQ(safeText("\xE2\x80\x8B\xE2\x80\x8C\xE2\x80\x8D\xE2\x81\xA0\xEF\xBB\xBF", 80),
              "\\E2\\80\\8B\\E2\\80\\8C\\E2\\80\\8D\\E2\\81\\A0\\EF\\BB\\BF");
    EXPECT_EQ(safeText("a\nb\tc\x1b[2Jd\x7f", 80), "a\\0Ab\\09c\\1B[2Jd\\7F");
    EXPECT_EQ(safeText("\xC2\x9B"
                       "31m",
                       80),
              "\\C2\\9B31m");
}

TEST(SafeText, AccentsAndOtherScriptsStayReadable) {
    EXPECT_EQ(safeText("José Pérez Núñez, S.A. de C.V. — 日本", 80),
              "José Pérez Núñez, S.A. de C.V. — 日本");
    EXPECT_EQ(safeText("CN=Patrón\\, Hermanos", 80), "CN=Patrón\\, Hermanos");
}

TEST(SafeText, InvalidUtf8IsEscapedBytewise) {
    EXPECT_EQ(safeText("a\xFF"
                       "b",
                       80),
              "a\\FFb");
    EXPECT_EQ(safeText("\xC0\xAF", 80), "\\C0\\AF");                  // overlong '/'
    EXPECT_EQ(safeText("\xED\xA0\x80", 80), "\\ED\\A0\\80");          // a surrogate
    EXPECT_EQ(safeText("fin\xE2\x80", 80), "fin\\E2\\80");            // cut sequence
    EXPECT_EQ(safeText("\xF4\x90\x80\x80", 80), "\\F4\\90\\80\\80");  // past U+10FFFF
}

TEST(SafeText, ShortensInCharactersWithAnEllipsisNeverInsideASequence) {
    const std::string name = "ñ" + std::string(300, 'a');
    const auto shown = safeText(name, 80);
    EXPECT_EQ(characters(shown), 80u);
    EXPECT_EQ(shown.rfind("ñ", 0), 0u);
    EXPECT_EQ(shown.substr(shown.size() - 3), "…");
    EXPECT_TRUE(validUtf8(shown));
    // Exactly at the limit: untouched.
    EXPECT_EQ(safeText(std::string(80, 'b'), 80), std::string(80, 'b'));
    // An escape is never split: it is kept whole or left out.
    const auto escaped = safeText(std::string(78, 'c') +
                                      "\xE2\x80\xAE"
                                      "tail",
                                  80);
    EXPECT_EQ(escaped, std::string(78, 'c') + "…");
}

TEST(SafeText, FileNamesKeepTheirExtensionWhenShortened) {
    const std::string name = "factura-" + std::string(239, 'x') + ".pdf.exe";
    const auto shown = safeText(name, 80, Shorten::Middle);
    EXPECT_LE(characters(shown), 80u);
    EXPECT_EQ(shown.rfind("factura-", 0), 0u) << shown;
    EXPECT_EQ(shown.substr(shown.size() - 8), ".pdf.exe") << shown;
    EXPECT_NE(shown.find("…"), std::string::npos);
}

TEST(SafeText, RandomBytesAlwaysGiveValidShortTextWithoutHiddenCharacters) {
    std::mt19937 random(20261201);
    const std::vector<std::string> forbidden = {
        "\xE2\x80\xAE", "\xE2\x80\xA8", "\xC2\x85", "\xE2\x80\x8B", "\xEF\xBB\xBF", "\n", "\r"};
    for (int round = 0; round < 2000; ++round) {
        std::string input(random() % 300, '\0');
        for (auto& c : input) c = static_cast<char>(random() % 256);
        const std::size_t max = 1 + random() % 120;
        const auto shown = safeText(input, max, round % 2 == 0 ? Shorten::End : Shorten::Middle);
        ASSERT_TRUE(validUtf8(shown));
        ASSERT_LE(characters(shown), max);
        for (const auto& f : forbidden) ASSERT_EQ(shown.find(f), std::string::npos);
    }
}
