// Issue 12 §2: when the letter check accepts a letter it also says where it found what it
// accepted — boxes around the visible glyphs of the new key's block (without its DER header and
// exponent) and of the previous letter's SHA-1 — and a copy a reader does not see is never boxed.
#include <gtest/gtest.h>

#include <openssl/evp.h>

#include <algorithm>

#include "PdfLetter.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/OpenSsl.h"
#include "firmante/renewal/LetterCheck.h"

namespace firmante::renewal::testing {
namespace {

using Look = PdfLine::Look;
using Shows = LetterBox::Shows;

std::string rsaSpkiHex() {
    pkcs11::EvpPkeyPtr key(EVP_RSA_gen(2048));
    return pkcs11::spkiHex(pkcs11::publicKeySpki(key.get()));
}

constexpr double kSlack = 0.006;  // about 5 points of an A4 page's height
constexpr double kA4Width = 595.28;

class RenewalLetterBoxes : public ::testing::TestWithParam<Look> {};

TEST_P(RenewalLetterBoxes, OnlyTheVisibleBlockUnderTheHeadingIsBoxedLineByLine) {
    const std::string ours = rsaSpkiHex(), old = rsaSpkiHex();
    const HiddenCopyLetter letter = letterWithHiddenKeyCopy(ours, old, GetParam());
    std::vector<LetterBox> found;
    ASSERT_NO_THROW(checkRenewalLetter(letter.pdf, {ours, old, {}}, &found))
        << "the hidden copy is not seen by the check either";
    // An RSA-2048 key (275 bytes in the spkiHex form) at 28 pairs a line: 10 lines, each holding
    // some of the bytes after the 16-byte header and before the 8-byte exponent.
    ASSERT_EQ(found.size(), wrapHex(ours, 28).size());
    ASSERT_EQ(found.size(), 10u);
    for (std::size_t i = 0; i < found.size(); ++i) {
        const LetterBox& b = found[i];
        SCOPED_TRACE("box " + std::to_string(i));
        EXPECT_EQ(b.shows, Shows::NewKey);
        EXPECT_EQ(b.page, letter.visiblePage);
        EXPECT_GE(b.y0, letter.visibleTop - kSlack);
        EXPECT_LE(b.y1, letter.visibleBottom + kSlack);
        EXPECT_FALSE(b.page == letter.hiddenPage && b.y1 > letter.hiddenTop &&
                     b.y0 < letter.hiddenBottom)
            << "the hidden copy is boxed";
        EXPECT_LT(b.y0, b.y1);
        EXPECT_LT(b.x0, b.x1);
        if (i > 0) EXPECT_GT(b.y0, found[i - 1].y0) << "one box per line, top to bottom";
        // Lines start at x = 50 pt; the first line's box starts after the 16 header bytes.
        if (i == 0)
            EXPECT_GT(b.x0, 200 / kA4Width);
        else
            EXPECT_NEAR(b.x0, 50 / kA4Width, 2 / kA4Width);
    }
    EXPECT_LE(found.front().y0, letter.visibleTop + 14 / kA4Height) << "its first line is boxed";
    EXPECT_GE(found.back().y1, letter.visibleBottom - 14 / kA4Height) << "and its last";
}

INSTANTIATE_TEST_SUITE_P(Renewal, RenewalLetterBoxes,
                         ::testing::Values(Look::WhiteText, Look::CoveredByFill),
                         [](const ::testing::TestParamInfo<Look>& info) {
                             return info.param == Look::WhiteText
                                        ? std::string("WhiteTextOnAnotherPage")
                                        : std::string("CoveredByAFillBelowTheBlock");
                         });

TEST(RenewalLetterBoxesTerms, ThePreviousLettersHashIsBoxedWhereItIsSeen) {
    const std::string ours = rsaSpkiHex();
    const std::string sha1 = "A94A8FE5CCB19BA61C4C0873D391E987982FBBD3";
    std::vector<PdfLine> lines = {{"Carta de terminos y condiciones"},
                                  {sha1, Look::WhiteText},  // row 1: a hidden copy
                                  {"Llave Publica Nueva"}};
    for (const auto& l : wrapHex(ours, 28)) lines.push_back({l});
    lines.push_back({"Cadena de Identificacion de Carta Anterior"});
    const int hashRow = static_cast<int>(lines.size());
    lines.push_back({sha1});
    lines.push_back({"Usuario: A064878710"});
    std::vector<LetterBox> found;
    ASSERT_NO_THROW(checkRenewalLetter(makeStyledPdfLetter(lines), {ours, {}, sha1}, &found));
    ASSERT_FALSE(found.empty());
    const LetterBox& hash = found.back();
    EXPECT_EQ(hash.shows, Shows::PreviousLetter);
    EXPECT_EQ(std::count_if(found.begin(), found.end(),
                            [](const LetterBox& b) { return b.shows == Shows::PreviousLetter; }),
              1);
    const double baseline = (kLetterTop + hashRow * kLetterLeading) / kA4Height;
    EXPECT_EQ(hash.page, 0);
    EXPECT_LT(hash.y0, baseline);
    EXPECT_GT(hash.y1, baseline - 2 / kA4Height);
    EXPECT_GT(hash.y0, baseline - 12 / kA4Height) << "on the hash's line, not the hidden one";
    EXPECT_NEAR(hash.x0, 50 / kA4Width, 2 / kA4Width);
    // 40 hex digits of Helvetica 10 pt, capitals: about 240 points wide, one box for the line.
    EXPECT_GT(hash.x1 - hash.x0, 200 / kA4Width);
    EXPECT_LT(hash.x1 - hash.x0, 270 / kA4Width);
}

TEST(RenewalLetterBoxesTerms, ARefusedLetterYieldsNoBoxes) {
    const std::string ours = rsaSpkiHex();
    std::vector<std::string> lines = {"Llave Publica Nueva"};
    for (const auto& l : wrapHex(rsaSpkiHex(), 28)) lines.push_back(l);  // another key
    std::vector<LetterBox> found;
    EXPECT_THROW(checkRenewalLetter(makePdfLetter(lines), {ours, {}, {}}, &found), pkcs11::Error);
    EXPECT_TRUE(found.empty());
}

}  // namespace
}  // namespace firmante::renewal::testing
