// What a prompt and a log line show of text from outside.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "firmante/agent/Logging.h"
#include "firmante/agent/PromptAuthorizer.h"

using namespace firmante::agent;

TEST(PromptText, PinPromptShowsOriginOperationDocumentAndTriesWarning) {
    firmante::renewal::OperationDescription what;
    what.origin = "https://portal.example";
    what.operation = "Firmar el documento «carta.pdf»";
    what.operationEn = "Sign the document 'carta.pdf'";
    what.fileName = "carta.pdf";
    what.documentSha256Hex = std::string(64, 'a');
    what.tokenLabel = "Mi Token";
    what.keyLabel = "Firma 2026";
    what.check = firmante::renewal::Bilingual{"La carta contiene la llave nueva",
                                              "The letter holds the new key"};
    firmante::pkcs11::TokenInfo token;
    token.label = "Mi Token";
    auto text = PromptAuthorizer::pinText(what, token);
    for (const char* expected :
         {"https://portal.example", "Firmar el documento", "carta.pdf", "Sign the document",
          "Mi Token", "Firma 2026", "La carta contiene la llave nueva"}) {
        EXPECT_NE(text.description.find(expected), std::string::npos) << expected;
    }
    EXPECT_NE(text.description.find(std::string(64, 'a')), std::string::npos);
    // Spanish first, English under it; the check's sentence too, in each language's block.
    EXPECT_LT(text.description.find("Operación"), text.description.find("Operation"));
    const auto checkEs = text.description.find("Verificación: La carta contiene la llave nueva\n");
    const auto checkEn = text.description.find("Check: The letter holds the new key\n");
    ASSERT_NE(checkEs, std::string::npos) << text.description;
    ASSERT_NE(checkEn, std::string::npos) << text.description;
    EXPECT_LT(checkEs, text.description.find("Operation"));
    EXPECT_GT(checkEn, text.description.find("Operation"));
    EXPECT_FALSE(text.error);
    token.pinCountLow = true;
    EXPECT_TRUE(PromptAuthorizer::pinText(what, token).error);
    token.pinFinalTry = true;
    EXPECT_NE(PromptAuthorizer::pinText(what, token).error->find("último intento"),
              std::string::npos);
}

TEST(PromptText, TextFromAPageCannotForgeLogLines) {
    // The prompt sanitiser: a newline shows as its hex pair, the limit counts the ellipsis.
    EXPECT_EQ(printable("id\n2026-01-01 info forged"), "id\\0A2026-01-01 info forged");
    EXPECT_EQ(printable(std::string(300, 'x'), 10), std::string(9, 'x') + "…");
}
