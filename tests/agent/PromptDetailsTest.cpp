// The structured prompt (issue 12 §2): what a dialog is given, field by field, and the buttons
// named for the action in both the dialog's and the pinentry's form.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "firmante/agent/PromptAuthorizer.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/prompt/Prompter.h"

using namespace firmante;
using firmante::renewal::Action;
using firmante::renewal::OperationDescription;

namespace {

// Records each question and answers "no" to confirmations (nothing is ever logged in).
class RecordingPrompter : public prompt::Prompter {
  public:
    pkcs11::Secret askPin(const prompt::PromptText& text) override {
        asked.push_back(text);
        throw pkcs11::Error(pkcs11::Reason::UserCancelled, "test");
    }
    bool confirm(const prompt::PromptText& text) override {
        asked.push_back(text);
        return false;
    }
    std::vector<prompt::PromptText> asked;
};

OperationDescription letterSigning() {
    OperationDescription what;
    what.origin = "https://portal.example";
    what.operation = "Firmar la Carta de Aceptación de Renovación";
    what.operationEn = "Sign the Renewal Acceptance Letter";
    what.fileName = "carta\u202Efdp.exe";  // a right-to-left override hiding the extension
    what.documentSha256Hex = std::string(64, 'b');
    what.tokenLabel = "Mi Token";
    what.keyLabel = "Firma 2026";
    what.check = renewal::Bilingual{"La carta muestra la llave generada en su token.",
                                    "The letter shows the key generated on your token."};
    what.keyFingerprint = "3f2a 91c0";
    what.action = Action::SignLetter;
    what.letter = std::make_shared<const std::vector<unsigned char>>(1000, 'x');
    using Shows = renewal::LetterBox::Shows;
    what.letterBoxes = {{Shows::NewKey, 1, 0.08, 0.3, 0.7, 0.32},
                        {Shows::PreviousLetter, 1, 0.08, 0.5, 0.4, 0.52},
                        // Outside the page, or empty: clamped, or left out.
                        {Shows::NewKey, 0, -0.5, 0.9, 1.5, 1.2},
                        {Shows::NewKey, 0, 0.4, 0.4, 0.4, 0.6},
                        {Shows::NewKey, -1, 0.1, 0.1, 0.2, 0.2}};
    return what;
}

}  // namespace

TEST(PromptDetails, HostileFileNameIsEscapedInTheDialogFieldsToo) {
    pkcs11::TokenInfo token;
    token.label = "Mi Token";
    const auto text = agent::PromptAuthorizer::pinText(letterSigning(), token);
    ASSERT_TRUE(text.details);
    EXPECT_EQ(text.details->fileName, "carta\\E2\\80\\AEfdp.exe");
    EXPECT_EQ(text.details->fileName->find("\u202E"), std::string::npos);
}

TEST(PromptDetails, BothSentencesOfTheCheckAreMadeSafe) {
    pkcs11::TokenInfo token;
    token.label = "Mi Token";
    auto what = letterSigning();
    // A subject from a certificate is quoted in the check: hostile in either language.
    what.check = renewal::Bilingual{"Certificado para CN=A\u202Efdp.exe",
                                    "Certificate for CN=A\u202Efdp.exe"};
    const auto text = agent::PromptAuthorizer::pinText(what, token);
    ASSERT_TRUE(text.details->check);
    EXPECT_EQ(text.details->check->es, "Certificado para CN=A\\E2\\80\\AEfdp.exe");
    EXPECT_EQ(text.details->check->en, "Certificate for CN=A\\E2\\80\\AEfdp.exe");
    EXPECT_EQ(text.description.find("\u202E"), std::string::npos) << "nor in pinentry's text";
}

TEST(PromptDetails, LetterPinPromptCarriesTheLetterSharedAndTheChecksBoxes) {
    pkcs11::TokenInfo token;
    token.label = "Mi Token";
    const auto what = letterSigning();
    const auto text = agent::PromptAuthorizer::pinText(what, token);
    const auto& d = *text.details;
    EXPECT_EQ(d.kind, prompt::PromptKind::Pin);
    EXPECT_EQ(d.letterPdf.get(), what.letter.get()) << "the same bytes, not a copy";
    const std::vector<prompt::PageBox> boxes = {
        {1, 0.08, 0.3, 0.7, 0.32}, {1, 0.08, 0.5, 0.4, 0.52}, {0, 0.0, 0.9, 1.0, 1.0}};
    EXPECT_EQ(d.letterBoxes, boxes) << "inside the page, the empty ones left out";
    EXPECT_EQ(d.accept.es, "Firmar carta");
    EXPECT_EQ(d.accept.en, "Sign letter");
    EXPECT_EQ(text.ok, "Firmar carta / Sign letter");
    EXPECT_EQ(d.site, "https://portal.example");
    EXPECT_EQ(d.operation.es, "Firmar la Carta de Aceptación de Renovación");
    EXPECT_EQ(d.operation.en, "Sign the Renewal Acceptance Letter");
    EXPECT_EQ(d.sha256Hex, std::string(64, 'b'));
    EXPECT_EQ(d.token, "Mi Token");
    EXPECT_EQ(d.key, "Firma 2026");
    EXPECT_EQ(d.keyFingerprint, "3f2a 91c0");
    ASSERT_TRUE(d.check);
    EXPECT_EQ(d.check->es, "La carta muestra la llave generada en su token.");
    EXPECT_EQ(d.check->en, "The letter shows the key generated on your token.");
    EXPECT_FALSE(d.warning);
    EXPECT_FALSE(d.pinpad);
}

TEST(PromptDetails, ButtonsAreNamedForTheActionNotSign) {
    pkcs11::TokenInfo token;
    token.label = "Mi Token";
    auto what = letterSigning();
    what.letter.reset();
    const std::vector<std::pair<Action, std::string>> cases = {
        {Action::GenerateKey, "Generar llave / Generate key"},
        {Action::StoreCertificate, "Guardar certificado / Store certificate"},
        {Action::Delete, "Eliminar / Delete"},
        {Action::LogIn, "Iniciar sesión / Log in"},
        {Action::Sign, "Firmar / Sign"},
    };
    for (const auto& [action, ok] : cases) {
        what.action = action;
        EXPECT_EQ(agent::PromptAuthorizer::pinText(what, token).ok, ok);
    }
}

TEST(PromptDetails, TriesWarningAndPinPadReachTheDialogFields) {
    pkcs11::TokenInfo token;
    token.label = "Mi Token";
    token.pinFinalTry = true;
    token.pinpad = true;
    const auto text = agent::PromptAuthorizer::pinText(letterSigning(), token);
    ASSERT_TRUE(text.details->warning);
    EXPECT_NE(text.details->warning->es.find("último intento"), std::string::npos);
    EXPECT_NE(text.details->warning->en.find("final try"), std::string::npos);
    EXPECT_TRUE(text.details->pinpad);
    EXPECT_EQ(text.details->accept.es, "Continuar");
    ASSERT_TRUE(text.error);  // the pinentry form still shows it
}

TEST(PromptDetails, DeletionIsAskedAsDestructiveWithTheKeepButton) {
    RecordingPrompter prompter;
    agent::PromptAuthorizer authorizer(prompter);
    auto what = letterSigning();
    what.letter.reset();
    what.action = Action::Delete;
    EXPECT_THROW(authorizer.confirm(what), pkcs11::Error);
    ASSERT_EQ(prompter.asked.size(), 1u);
    const auto& text = prompter.asked[0];
    EXPECT_EQ(text.details->kind, prompt::PromptKind::Destructive);
    EXPECT_EQ(text.ok, "Eliminar / Delete");
    EXPECT_EQ(text.cancel, "Conservar / Keep");
}

TEST(PromptDetails, SignatureOnAnUnlockedTokenIsALetterDialogWhenALetterIsSigned) {
    const auto letter = agent::PromptAuthorizer::signatureText(letterSigning());
    EXPECT_EQ(letter.details->kind, prompt::PromptKind::Letter);
    ASSERT_TRUE(letter.details->note);
    auto document = letterSigning();
    document.letter.reset();
    document.action = Action::Sign;
    const auto plain = agent::PromptAuthorizer::signatureText(document);
    EXPECT_EQ(plain.details->kind, prompt::PromptKind::Signature);
    EXPECT_EQ(plain.ok, "Firmar / Sign");
}
