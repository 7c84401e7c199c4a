// The letter check's text rules, on text alone (the PDF path is covered by RenewalLetter).
#include <gtest/gtest.h>

#include "LetterText.h"

using firmante::renewal::letterStates;
using firmante::renewal::normalizeLetterText;

namespace {
const std::string kOurs = "03 82 01 0f 00 30 82 01 0a 02 82 01 01 00 aa bb 02 03 01 00 01";
const std::string kOther = "03 82 01 0f 00 30 82 01 0a 02 82 01 01 00 cc dd 02 03 01 00 01";
bool states(const std::string& raw) {
    return letterStates(normalizeLetterText(raw), {"llave pública nueva", "llave publica nueva"},
                        kOurs, true);
}
}  // namespace

TEST(RenewalLetterText, AccentedCapitalsAreLowerCased) {
    EXPECT_EQ(normalizeLetterText("LLAVE PÚBLICA NUEVA  ÁÉÍÓÚÑÜ ×"),
              "llave pública nueva áéíóúñü ×");
}

TEST(RenewalLetterText, AnotherKeyUnderAHeadingInCapitalsOrWithAColonIsRefused) {
    for (const std::string heading :
         {"Llave Pública Nueva", "LLAVE PÚBLICA NUEVA", "Llave Pública Nueva:",
          "LLAVE PÚBLICA NUEVA:", "Llave Publica Nueva -", "Llave Pública Nueva."}) {
        // Ours appears elsewhere (e.g. in white text), another key stands under the heading.
        EXPECT_FALSE(states(heading + " " + kOther + "\nnota " + kOurs)) << heading;
        EXPECT_TRUE(states(heading + " " + kOurs)) << heading;
    }
}

TEST(RenewalLetterText, ProseAfterTheHeadingIsNotAStatementAndALongerWordIsNotTheHeading) {
    EXPECT_TRUE(states("la Llave Pública Nueva que se generó: " + kOurs));
    EXPECT_TRUE(states("Llave Pública Nuevas " + kOther + " y la nuestra " + kOurs));
}
