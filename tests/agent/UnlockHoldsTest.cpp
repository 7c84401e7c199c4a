// One PIN per renewal (issue 12 §3): the hold policy on its own with a fake clock, and the
// agent's Authorizer on a real SoftHSM token with a fake prompter standing in for the person.
#include <gtest/gtest.h>

#include "firmante/agent/PromptAuthorizer.h"
#include "firmante/agent/TokenRegistry.h"
#include "firmante/agent/UnlockHolds.h"
#include "firmante/pkcs11/Challenge.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Module.h"
#include "firmante/pkcs11/Token.h"
#include "firmante/testing/AlwaysAuthenticate.h"
#include "firmante/testing/SoftHsmToken.h"

using namespace firmante::agent;  // PromptAuthorizer, TokenRegistry, UnlockHolds
using firmante::renewal::OperationDescription;

namespace {

class FakeClock {
  public:
    UnlockHolds::Clock::time_point now() const { return now_; }
    void advance(std::chrono::seconds s) { now_ += s; }

  private:
    UnlockHolds::Clock::time_point now_{std::chrono::hours(1)};
};

// Answers like a person would and records what was asked, in order.
class ScriptedPerson : public firmante::prompt::Prompter {
  public:
    firmante::pkcs11::Secret askPin(const firmante::prompt::PromptText& text) override {
        asked.push_back("pin");
        shown.push_back(text.description);
        return firmante::pkcs11::Secret(firmante::testing::SoftHsmToken::kUserPin);
    }
    bool confirm(const firmante::prompt::PromptText& text) override {
        asked.push_back("confirm");
        shown.push_back(text.description);
        return confirmAnswer;
    }
    std::vector<std::string> asked;
    std::vector<std::string> shown;
    bool confirmAnswer = true;
};

OperationDescription step(const std::string& origin, const std::optional<std::string>& renewal) {
    OperationDescription what;
    what.origin = origin;
    what.operation = "Paso de prueba";
    what.operationEn = "Test step";
    what.tokenLabel = "Holds";
    what.keyLabel = "llave";
    what.renewalId = renewal;
    return what;
}

class AuthorizerHolds : public ::testing::Test {
  protected:
    firmante::testing::SoftHsmToken hsm{"Holds"};
    std::shared_ptr<firmante::pkcs11::Module> module =
        firmante::pkcs11::Module::load(firmante::testing::SoftHsmToken::modulePath());
    firmante::pkcs11::Token token = firmante::pkcs11::Token::open(module, "Holds");
    ScriptedPerson person;
    const std::string portal = "https://idse.example";
};

}  // namespace

TEST(UnlockHoldsPolicy, ServesOnlyItsSiteAndLapsesAfterTheIdleTime) {
    FakeClock clock;
    UnlockHolds holds(true, std::chrono::minutes(10), [&clock] { return clock.now(); });
    holds.hold("t", "https://a.example", "r1");
    EXPECT_FALSE(holds.use("t", "https://b.example"));
    EXPECT_TRUE(holds.use("t", "https://a.example"));
    clock.advance(std::chrono::minutes(9));
    EXPECT_TRUE(holds.use("t", "https://a.example"));  // use refreshes the idle clock
    clock.advance(std::chrono::minutes(9));
    EXPECT_TRUE(holds.held("t"));
    EXPECT_TRUE(holds.expireIdle().empty());
    clock.advance(std::chrono::minutes(1));
    EXPECT_FALSE(holds.held("t"));
    EXPECT_EQ(holds.expireIdle(), std::vector<std::string>{"t"});
    EXPECT_FALSE(holds.use("t", "https://a.example"));
}

TEST(UnlockHoldsPolicy, EndsWithItsRenewalOrItsTokenAndNeverHoldsWhenAlwaysAsk) {
    UnlockHolds holds;
    holds.hold("t1", "https://a.example", "r1");
    holds.hold("t2", "https://a.example", "r2");
    holds.endRenewal("r1");
    EXPECT_FALSE(holds.held("t1"));
    EXPECT_TRUE(holds.held("t2"));
    holds.endToken("t2");
    EXPECT_FALSE(holds.held("t2"));

    UnlockHolds alwaysAsk(false);
    alwaysAsk.hold("t", "https://a.example", "r");
    EXPECT_FALSE(alwaysAsk.held("t"));
    EXPECT_FALSE(alwaysAsk.use("t", "https://a.example"));
}

TEST_F(AuthorizerHolds, RenewalStepsAfterTheFirstAskNoPinButEveryDocumentIsShownAndConfirmed) {
    UnlockHolds holds;
    PromptAuthorizer authorizer(person, &holds);
    authorizer.unlock(token, step(portal, "r1"));
    authorizer.release(token);
    EXPECT_TRUE(token.loggedIn()) << "kept for the renewal's next step";

    authorizer.unlock(token, step(portal, "r1"));  // e.g. the proof of possession
    authorizer.release(token);
    auto letter = step(portal, "r1");
    letter.fileName = "CartadeAceptaciondeRenovacion.pdf";
    letter.documentSha256Hex = std::string(64, 'a');
    authorizer.unlock(token, letter);
    authorizer.release(token);
    EXPECT_EQ(person.asked, (std::vector<std::string>{"pin", "confirm"}));
    EXPECT_NE(person.shown.back().find("CartadeAceptaciondeRenovacion.pdf"), std::string::npos);
    EXPECT_NE(person.shown.back().find(std::string(64, 'a')), std::string::npos);

    person.confirmAnswer = false;
    try {
        authorizer.unlock(token, letter);
        FAIL() << "a refused letter must not be signed";
    } catch (const firmante::pkcs11::Error& e) {
        EXPECT_EQ(e.reason(), firmante::pkcs11::Reason::UserCancelled);
    }

    authorizer.renewalEnded(token, "r1");
    EXPECT_FALSE(token.loggedIn());
    person.confirmAnswer = true;
    authorizer.unlock(token, step(portal, std::nullopt));  // the login after the renewal
    EXPECT_EQ(person.asked.back(), "pin");
}

TEST_F(AuthorizerHolds, AnotherSiteNeverRidesOnALoginKeptForARenewal) {
    UnlockHolds holds;
    PromptAuthorizer authorizer(person, &holds);
    authorizer.unlock(token, step(portal, "r1"));
    authorizer.release(token);
    ASSERT_TRUE(token.loggedIn());

    authorizer.unlock(token, step("https://otro.example", std::nullopt));
    EXPECT_EQ(person.asked, (std::vector<std::string>{"pin", "pin"}));
    EXPECT_FALSE(holds.held(TokenRegistry::keyOf(token.info())));
    authorizer.release(token);
    EXPECT_FALSE(token.loggedIn());

    // The renewal's site asks again: its kept login was ended for the other site.
    authorizer.unlock(token, step(portal, "r1"));
    EXPECT_EQ(person.asked.size(), 3u);
}

TEST_F(AuthorizerHolds, AlwaysAskLogsOutAfterEveryStep) {
    UnlockHolds holds(false);
    PromptAuthorizer authorizer(person, &holds);
    for (int i = 0; i < 3; ++i) {
        authorizer.unlock(token, step(portal, "r1"));
        authorizer.release(token);
        EXPECT_FALSE(token.loggedIn());
    }
    EXPECT_EQ(person.asked, (std::vector<std::string>(3, "pin")));
}

// Issue 11 §4: a key with CKA_ALWAYS_AUTHENTICATE asks the PIN before each of its signatures, and
// a login kept for the renewal does not skip that second PIN. SoftHSM enforces the attribute: the
// signature below exists only because the context-specific login happened.
TEST_F(AuthorizerHolds, AKeptLoginNeverSkipsThePinAKeyAsksForEachSignature) {
    token.login(firmante::pkcs11::Secret(firmante::testing::SoftHsmToken::kUserPin));
    const auto key =
        firmante::testing::generateAlwaysAuthenticateKey(token, "calificada", true, {0x71});
    token.logout();

    UnlockHolds holds;
    PromptAuthorizer authorizer(person, &holds);
    authorizer.unlock(token, step(portal, "r1"));  // e.g. renewal.begin: the PIN, then kept
    authorizer.release(token);
    ASSERT_TRUE(token.loggedIn());

    auto letter = step(portal, "r1");
    letter.fileName = "CartadeAceptaciondeRenovacion.pdf";
    letter.documentSha256Hex = std::string(64, 'b');
    authorizer.unlock(token, letter);  // kept login: only the confirmation
    EXPECT_EQ(person.asked, (std::vector<std::string>{"pin", "confirm"}));
    {
        auto pkey = token.privateKey(key);
        auto signature =
            firmante::pkcs11::signChallenge(pkey.get(), portal, std::vector<unsigned char>(32, 1));
        EXPECT_FALSE(signature.signature.empty());
        EXPECT_EQ(person.asked, (std::vector<std::string>{"pin", "confirm", "pin"}));
        EXPECT_NE(person.shown.back().find("exige el PIN otra vez para cada firma"),
                  std::string::npos)
            << person.shown.back();
        EXPECT_NE(person.shown.back().find("CartadeAceptaciondeRenovacion.pdf"), std::string::npos);
        // Another signature in the same operation: asked again.
        firmante::pkcs11::signChallenge(pkey.get(), portal, std::vector<unsigned char>(32, 2));
        EXPECT_EQ(person.asked.size(), 4u);
    }
    authorizer.release(token);
    // After the operation nobody is left to ask: the key does not sign on the kept login alone.
    auto pkey = token.privateKey(key);
    EXPECT_THROW(
        firmante::pkcs11::signChallenge(pkey.get(), portal, std::vector<unsigned char>(32, 3)),
        firmante::pkcs11::Error);
    EXPECT_EQ(person.asked.size(), 4u);
}

TEST_F(AuthorizerHolds, OnlyThePerSignaturePromptSaysWhyThePinIsAskedAgain) {
    PromptAuthorizer authorizer(person);
    authorizer.unlock(token, step(portal, std::nullopt));
    ASSERT_EQ(person.shown.size(), 1u);
    EXPECT_EQ(person.shown[0].find("otra vez"), std::string::npos) << person.shown[0];
    auto again = step(portal, std::nullopt);
    again.pinForEachSignature = true;
    const auto text = PromptAuthorizer::pinText(again, token.info()).description;
    EXPECT_NE(text.find("Esta llave exige el PIN otra vez para cada firma"), std::string::npos);
    EXPECT_NE(text.find("This key requires the PIN again for each signature"), std::string::npos);
}

// Issue 11 §5: a renewal's letter prompts warn when the token did not vouch for the new key.
TEST_F(AuthorizerHolds, ALetterPromptWarnsWhenTheNewKeysProvenanceIsUnconfirmed) {
    auto letter = step(portal, "r1");
    const auto plain = PromptAuthorizer::pinText(letter, token.info()).description;
    EXPECT_EQ(plain.find("no confirma"), std::string::npos) << plain;
    letter.newKeyProvenanceUnconfirmed = true;
    const auto warned = PromptAuthorizer::pinText(letter, token.info()).description;
    EXPECT_NE(warned.find("Advertencia: el dispositivo no confirma que la llave nueva se generó en "
                          "él y nunca salió de él."),
              std::string::npos)
        << warned;
    EXPECT_NE(warned.find("Warning: the token does not confirm"), std::string::npos) << warned;
    EXPECT_NE(PromptAuthorizer::signatureText(letter).description.find("Advertencia"),
              std::string::npos);
}
