// The letter check's rules on text alone (what a viewer draws is covered by the letter corpus,
// tests/letters): how words are folded and how headings bind the key blocks under them.
#include <gtest/gtest.h>

#include "LetterText.h"
#include "firmante/renewal/LetterHeadings.h"

using firmante::renewal::hasRenewalHeading;
using firmante::renewal::LetterExpectation;
using firmante::renewal::letterProblem;
using firmante::renewal::letterWords;

namespace {
// Key-shaped: longer than the 64 hex digits below which a run is a folio, not a key.
const std::string kOurs =
    "03 42 00 04 aa bb 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 "
    "25 26 27 28 29 30 31 32 33 34";
const std::string kOther =
    "03 42 00 04 cc dd 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 "
    "25 26 27 28 29 30 31 32 33 34";
const std::string kOld =
    "03 42 00 04 ee ff 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 "
    "25 26 27 28 29 30 31 32 33 34";

bool states(const std::string& text) {
    return !letterProblem(letterWords(text), LetterExpectation{kOurs, kOld, {}});
}
}  // namespace

TEST(RenewalLetterText, WordsAreFoldedToWhatAReaderTakesThemFor) {
    // Capitals, accents, an accent drawn on its own, zero-width and bidi characters, Cyrillic
    // look-alikes and full-width digits all read as the plain word.
    EXPECT_EQ(letterWords("LLAVE PÚBLICA NUEVA"), letterWords("llave publica nueva"));
    EXPECT_EQ(letterWords("Pu\u00B4blica Lla\u200Bve\u202E"), letterWords("publica llave"));
    EXPECT_EQ(letterWords("\u0430\u0441 \uFF10\uFF11"), letterWords("ac 01"));
    EXPECT_EQ(letterWords("« Llave — Pública: (RSA 2048) »"),
              (std::vector<std::string>{"llave", "publica", "rsa", "2048"}));
}

TEST(RenewalLetterText, AnotherKeyUnderAnySpellingOfTheHeadingIsRefused) {
    for (const std::string heading :
         {"Llave Pública Nueva", "LLAVE PÚBLICA NUEVA:", "Llave Pública Nueva —",
          "Llave Pública Nueva (RSA 2048):", "« Llave Pública Nueva »", "Clave Pública Nueva",
          "Nueva Llave Pública", "Llaves Públicas Nuevas", "Lla\u200Bve Pu\u0301blica Nueva"}) {
        EXPECT_FALSE(
            states(heading + " " + kOther + "\nLlave Pública Anterior " + kOld + "\nnota " + kOurs))
            << heading;
        EXPECT_TRUE(states(heading + " " + kOurs + "\nLlave Pública Anterior " + kOld)) << heading;
    }
}

TEST(RenewalLetterText, TheHeadingsThePortalPrintsAreTheOnesTheCheckReads) {
    namespace headings = firmante::renewal::headings;
    const std::string fresh(headings::kNewKey), old(headings::kOldKey);
    const std::string previous(headings::kPreviousLetter);
    for (const std::string& heading : {fresh, old, previous})
        EXPECT_TRUE(hasRenewalHeading(letterWords(heading))) << heading;
    // Each binds the block under it: ours under the new-key heading states the letter, another
    // key there does not, and the previous letter's hash is read under its heading.
    EXPECT_TRUE(states(fresh + " " + kOurs + "\n" + old + " " + kOld));
    EXPECT_FALSE(states(fresh + " " + kOld + "\n" + old + " " + kOurs));
    const std::string sha1 = "0123456789abcdef0123456789abcdef01234567";
    const LetterExpectation terms{kOurs, kOld, sha1};
    EXPECT_FALSE(letterProblem(
        letterWords(fresh + " " + kOurs + "\n" + old + " " + kOld + "\n" + previous + " " + sha1),
        terms));
    EXPECT_TRUE(letterProblem(letterWords(fresh + " " + kOurs + "\n" + old + " " + kOld + "\n" +
                                          previous + " " + std::string(40, 'e')),
                              terms));
}

TEST(RenewalLetterText, AForeignKeyAnywhereIsRefusedEvenUnderNoHeading) {
    EXPECT_FALSE(states("Llave Pública Nueva " + kOurs + " Referencia " + kOther));
}

TEST(RenewalLetterText, TwoKeysUnderTheNewKeyHeadingAreRefused) {
    EXPECT_FALSE(states("Llave Pública Nueva " + kOurs + " y " + kOld));
}

TEST(RenewalLetterText, OurKeyOnlyUnderTheOldKeyHeadingIsRefused) {
    EXPECT_FALSE(states("Llave Pública Anterior " + kOurs));
    EXPECT_FALSE(states("texto " + kOurs));
}

TEST(RenewalLetterText, ProseNamingTheHeadingAndAFolioDoNotCount) {
    EXPECT_TRUE(states("Su llave pública nueva se muestra abajo.\nLlave Pública Nueva " + kOurs +
                       "\nNo. De Folio: 88 a5 f3 56 9e 1e d3 5b 11 81 6c 22 cd 7b 27 4a"));
    EXPECT_TRUE(states("Llave Pública Nueva " + kOurs + " De acuerdo con lo anterior."));
}

TEST(RenewalLetterText, TheTermsLetterMustShowThePreviousLetterHashUnderItsHeading) {
    const std::string sha1 = "0123456789ABCDEF0123456789ABCDEF01234567";
    const std::string other = "7123456789ABCDEF0123456789ABCDEF01234567";
    const LetterExpectation terms{kOurs, {}, sha1};
    const auto ok = [&](const std::string& t) { return !letterProblem(letterWords(t), terms); };
    EXPECT_TRUE(
        ok("Llave Pública Nueva " + kOurs + " Cadena de Identificación de Carta Anterior " + sha1));
    EXPECT_TRUE(ok("Llave Pública Nueva " + kOurs +
                   " Cadena de identificación de la carta anterior: " + sha1));
    EXPECT_FALSE(ok("Llave Pública Nueva " + kOurs +
                    " Cadena de Identificación de Carta Anterior " + other + " ref " + sha1));
    EXPECT_FALSE(ok("Llave Pública Nueva " + kOurs + " Referencia " + sha1));
}

TEST(RenewalLetterText, RenewalHeadingsAreRecognisedForDocumentsSign) {
    EXPECT_TRUE(hasRenewalHeading(letterWords("Nueva Clave Pública")));
    EXPECT_TRUE(hasRenewalHeading(letterWords("CADENA DE IDENTIFICACIÓN DE CARTA ANTERIOR")));
    EXPECT_FALSE(hasRenewalHeading(letterWords("Factura 2026: servicios de consultoría")));
}

TEST(RenewalLetterText, OurKeyDrawnOneByteLongerIsAnotherKey) {
    EXPECT_FALSE(states("Llave Pública Nueva " + kOurs + " 7f"));
    EXPECT_FALSE(states("Llave Pública Nueva 7f " + kOurs));
}

TEST(RenewalLetterText, AKeyWhoseDigitsAreAllLettersIsStillAKey) {
    // Found by fuzz_letter: a key block with no decimal digit (every pair a–f) was taken for
    // prose, so the genuine letter was refused and a second such block under the heading was
    // not counted as a second key.
    const std::string letters =
        "ab cd ef fa ce ba dc fe ad eb bc ed ca af db be ac fd ea cf de bd ec da fb "
        "ae cb bf ee aa dd ff";
    const LetterExpectation ours{letters, kOld, {}};
    const auto problem = [&](const std::string& text) {
        return letterProblem(letterWords(text), ours);
    };
    EXPECT_FALSE(problem("Llave Pública Nueva " + letters + "\nLlave Pública Anterior " + kOld));
    EXPECT_TRUE(problem("Llave Pública Nueva " + kOurs + " y " + letters));
    EXPECT_FALSE(states("Llave Pública Nueva " + kOurs + " y " + letters));
    // Short runs of words made of a–f are still prose.
    EXPECT_TRUE(states("Llave Pública Nueva " + kOurs +
                       " para de cada fe\nLlave Pública Anterior " + kOld));
}

TEST(RenewalLetterText, AGlyphItsFontDoesNotConfirmIsNoDigitAndNoLetter) {
    // The glyph check writes U+FFFD for a glyph whose font does not confirm its /ToUnicode
    // text: it stays inside its word, and no key, hash or heading matches with it.
    EXPECT_EQ(letterWords("03 4\uFFFD Lla\uFFFDve"),
              (std::vector<std::string>{"03", "4?", "lla?ve"}));
    std::string drawnWithALyingFont = kOurs;
    drawnWithALyingFont.replace(13, 1, "\uFFFD");
    const auto problem = letterProblem(letterWords("Llave Pública Nueva " + drawnWithALyingFont +
                                                   "\nLlave Pública Anterior " + kOld),
                                       LetterExpectation{kOurs, kOld, {}});
    ASSERT_TRUE(problem);
    EXPECT_NE(problem->find("fuente cuyos caracteres no se pueden verificar"), std::string::npos)
        << *problem;
    // A heading with such a glyph is no heading; the message says why.
    const auto heading = letterProblem(letterWords("Llave Pública Nue\uFFFDa " + kOurs),
                                       LetterExpectation{kOurs, kOld, {}});
    ASSERT_TRUE(heading);
    EXPECT_NE(heading->find("no se pueden verificar"), std::string::npos) << *heading;
    // A malformed byte is still a separator.
    EXPECT_EQ(letterWords("ab\xFF"
                          "cd"),
              (std::vector<std::string>{"ab", "cd"}));
}
