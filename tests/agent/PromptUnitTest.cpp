// What a prompt and a log line show of text from outside.
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "firmante/agent/Logging.h"
#include "firmante/agent/PromptAuthorizer.h"
#include "firmante/prompt/AssuanEscape.h"
#include "firmante/prompt/PinentryPrompter.h"

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

namespace {

// Sets LC_ALL for one test and restores it.
class ScopedLocale {
  public:
    explicit ScopedLocale(const char* lang) {
        if (const char* saved = std::getenv("LC_ALL")) before_ = saved;
        ::setenv("LC_ALL", lang, 1);
    }
    ~ScopedLocale() {
        if (before_)
            ::setenv("LC_ALL", before_->c_str(), 1);
        else
            ::unsetenv("LC_ALL");
    }

  private:
    std::optional<std::string> before_;
};

// The terms letter (step 11) as renewal.sign_letter describes it, with fields as long as a
// person's will be: an origin of 40 characters, labels near the 60 shown, the portal's file name,
// the letter check's sentence with the previous letter's SHA-1, and the new key's fingerprint.
firmante::renewal::OperationDescription termsLetter() {
    firmante::renewal::OperationDescription what;
    what.origin = "https://idse.imss.gob.mx.ejemplo-largo.mx";
    what.operation = "Firmar la Carta de Términos y Condiciones";
    what.operationEn = "Sign the Terms and Conditions Letter";
    what.fileName = "CartaTerminosCondiciones.pdf";
    what.documentSha256Hex = std::string(64, 'c');
    what.tokenLabel = "Token de la empresa ACME Mexicana";
    what.keyLabel = "Firma IDSE Patrón EMPRESA DEMO SA DE CV (renovación 2)";
    const std::string sha1(40, 'A');
    what.check = firmante::renewal::Bilingual{
        "La carta muestra, bajo «Llave Pública Nueva», la llave generada en su token, y la "
        "Cadena Original de la Carta de Aceptación que usted firmó (" +
            sha1 + ").",
        "The letter shows, under “Llave Pública Nueva”, the key generated on your token, and the "
        "“Cadena Original de la Carta de Aceptación” of the letter you signed (" +
            sha1 + ")."};
    what.keyFingerprint =
        "3f2a 91c0 77de 0b41 5c3e 8a90 d1f2 6b07 2e4c 9a18 b5d3 0f6e 41a7 c2d9 "
        "8e05 7b3c";
    what.action = firmante::renewal::Action::SignLetter;
    return what;
}

// What pinentry receives of a description: the Assuan-escaped text within the line limit.
void reachesPinentryWhole(const std::string& description) {
    const auto escaped = firmante::prompt::assuanEscape(description);
    EXPECT_LE(escaped.size(), firmante::prompt::kPinentryDescriptionBytes)
        << "cut by " << escaped.size() - firmante::prompt::kPinentryDescriptionBytes << " bytes:\n"
        << description;
}

}  // namespace

// Issue 12: pinentry cuts a description at the Assuan line limit. A terms letter's text in both
// languages lost the end of its English block there (the check, the fingerprint) and, with
// longer fields, the end of the Spanish one. Too long for both languages, it is shown whole in
// the locale's language, with a line in the other saying how to read it there.
TEST(PromptText, ATermsLetterReachesPinentryWholeInTheLocalesLanguage) {
    struct Locale {
        const char* lang;
        std::vector<const char*> shown;
        const char* otherLanguagesLine;
    };
    const std::vector<Locale> locales{
        {"es_MX.UTF-8",
         {"Operación: Firmar la Carta de Términos y Condiciones",
          "Verificación: La carta muestra, bajo «Llave Pública Nueva»"},
         "English: with LC_ALL or LANG set to en_US.UTF-8"},
        {"en_US.UTF-8",
         {"Operation: Sign the Terms and Conditions Letter",
          "Check: The letter shows, under “Llave Pública Nueva”"},
         "Español: con LC_ALL o LANG en es_MX.UTF-8"},
    };
    for (const auto& locale : locales) {
        ScopedLocale scoped(locale.lang);
        auto what = termsLetter();
        firmante::pkcs11::TokenInfo token;
        token.label = what.tokenLabel;
        const auto confirm = PromptAuthorizer::signatureText(what);
        reachesPinentryWhole(confirm.description);
        const auto pin = PromptAuthorizer::pinText(what, token);  // "always ask" in the config
        reachesPinentryWhole(pin.description);
        for (const auto* text : {&confirm.description, &pin.description}) {
            std::vector<const char*> expected{
                "https://idse.imss.gob.mx.ejemplo-largo.mx",
                "CartaTerminosCondiciones.pdf",
                "(AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA).",
                "SHA-256: cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
                "3f2a 91c0 77de 0b41 5c3e 8a90 d1f2 6b07 2e4c 9a18 b5d3 0f6e 41a7 c2d9 8e05 7b3c",
                locale.otherLanguagesLine};
            expected.insert(expected.end(), locale.shown.begin(), locale.shown.end());
            for (const char* e : expected)
                EXPECT_NE(text->find(e), std::string::npos) << locale.lang << ": " << e << "\n"
                                                            << *text;
            EXPECT_EQ(text->find("…"), std::string::npos) << *text;
        }
        // A key that asks the PIN for each signature, on a reader with a PIN pad, for a key the
        // token cannot vouch for: every warning, still whole.
        what.pinForEachSignature = true;
        what.newKeyProvenanceUnconfirmed = true;
        token.pinpad = true;
        reachesPinentryWhole(PromptAuthorizer::pinText(what, token).description);
    }
}

// A short question still shows both languages, Spanish first (the rest of this file).
TEST(PromptText, AShortQuestionShowsBothLanguages) {
    firmante::renewal::OperationDescription what;
    what.origin = "https://portal.example";
    what.operation = "Firmar el documento «acta.pdf»";
    what.operationEn = "Sign the document 'acta.pdf'";
    what.tokenLabel = "Mi Token";
    what.keyLabel = "Firma";
    firmante::pkcs11::TokenInfo token;
    token.label = "Mi Token";
    const auto text = PromptAuthorizer::pinText(what, token).description;
    EXPECT_LT(text.find("Operación: Firmar"), text.find("Operation: Sign")) << text;
    EXPECT_EQ(text.find("LANG="), std::string::npos) << text;
}

// A page chooses how many documents a batch has and how long their names are. In either
// language, what pinentry gets lists the documents it can hold, says how many more there are,
// and keeps what follows the list (token, key, warnings) whole.
TEST(PromptText, ABatchTooLongForPinentryListsWhatFitsAndKeepsTheRestInEitherLanguage) {
    for (const char* lang : {"es_MX.UTF-8", "en_US.UTF-8"}) {
        SCOPED_TRACE(lang);
        ScopedLocale locale(lang);
        const bool english = std::string(lang).starts_with("en");
        firmante::renewal::OperationDescription what;
        what.origin = "https://contabilidad.despacho-ejemplo.com.mx";
        what.operation = "Firmar 40 documentos";
        what.operationEn = "Sign 40 documents";
        what.tokenLabel = "Token de la empresa";
        what.keyLabel = "Firma 2026";
        what.pinForEachSignature = true;
        for (int i = 0; i < 40; ++i) {
            what.documents.push_back({"factura-proveedor-2026-" + std::to_string(i) + ".pdf",
                                      std::string(64, static_cast<char>('a' + i % 6))});
        }
        firmante::pkcs11::TokenInfo token;
        token.label = what.tokenLabel;
        token.pinpad = true;
        const auto text = PromptAuthorizer::pinText(what, token).description;
        reachesPinentryWhole(text);
        for (const char* expected :
             english ? std::vector<const char*>{"Documents:\n1. factura-proveedor-2026-0.pdf",
                                                "more document(s).",
                                                "Token: Token de la empresa — Key: Firma 2026",
                                                "This key requires the PIN again",
                                                "Type the PIN on the reader's keypad."}
                     : std::vector<const char*>{
                           "Documentos:\n1. factura-proveedor-2026-0.pdf", "documento(s) más.",
                           "Dispositivo: Token de la empresa — Llave: Firma 2026",
                           "Esta llave exige el PIN otra vez",
                           "Escriba el PIN en el teclado del lector."}) {
            EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
        }
    }
}

// One document in English: its SHA-256 is shown, as in Spanish.
TEST(PromptText, TheEnglishBlockShowsTheDocumentsSha256) {
    firmante::renewal::OperationDescription what;
    what.origin = "https://portal.example";
    what.operation = "Firmar el documento «acta.pdf»";
    what.operationEn = "Sign the document 'acta.pdf'";
    what.fileName = "acta.pdf";
    what.documentSha256Hex = std::string(64, 'e');
    what.tokenLabel = "T";
    what.keyLabel = "K";
    const auto text = PromptAuthorizer::signatureText(what).description;
    const auto english = text.find("Operation: ");
    ASSERT_NE(english, std::string::npos) << text;
    EXPECT_NE(text.find("SHA-256: " + std::string(64, 'e'), english), std::string::npos) << text;
}
