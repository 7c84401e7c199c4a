// DESIGN §3 rule 3 over native messaging: the origin comes from the request's top-level member
// that the extension sets, unlisted origins are asked about, and the answer is remembered.
#include <gtest/gtest.h>

#include <openssl/rand.h>

#include "AgentFixture.h"
#include "firmante/agent/Base64.h"
#include "firmante/testing/Process.h"

using namespace firmante::agent::testing;
using nlohmann::json;

namespace {

constexpr const char* kUnlisted = "https://unlisted.example";
constexpr const char* kListed = "http://127.0.0.1:8080";

class AgentOrigin : public AgentFixture {
  protected:
    AgentOrigin() : AgentFixture("firmante-agent-origin", "Agent Origin") {}
    void startAgent() {
        startWith({{"allowedOrigins", {kListed}}});
        connect();
    }
    void connect() { connectExtension("chromium", "abcdefghijklmnopabcdefghijklmnop"); }
    json allowedOrigins() {
        return json::parse(firmante::testing::readFile(agent.config().string()))["allowedOrigins"];
    }
};

}  // namespace

TEST_F(AgentOrigin, UnlistedOriginIsRefusedWhenThePersonSaysNo) {
    startAgent();
    agent.script("confirm no\n");
    EXPECT_EQ(reasonOf(callFrom(kUnlisted, "tokens.list")), "ORIGIN_NOT_ALLOWED");
    const auto shown = promptsShown(agent.pinentryLog());
    ASSERT_EQ(shown.size(), 1u);
    EXPECT_EQ(shown[0]["command"], "CONFIRM");
    EXPECT_NE(shown[0]["description"].get<std::string>().find(
                  "¿Permitir que https://unlisted.example use sus certificados?"),
              std::string::npos);
    EXPECT_EQ(allowedOrigins(), json({kListed}));
}

TEST_F(AgentOrigin, UnlistedOriginIsAllowedAndRememberedWhenThePersonSaysYes) {
    startAgent();
    agent.script("confirm yes\n");
    const auto first = callFrom(kUnlisted, "tokens.list");
    ASSERT_TRUE(first.contains("result")) << first.dump();
    EXPECT_EQ(allowedOrigins(), json({kListed, kUnlisted}));
    // Remembered: no second question, not even after a restart.
    EXPECT_TRUE(callFrom(kUnlisted, "tokens.list").contains("result"));
    agent.stop();
    agent.start();
    connect();
    EXPECT_TRUE(callFrom(kUnlisted, "tokens.list").contains("result"));
    EXPECT_EQ(promptsShown(agent.pinentryLog()).size(), 1u);
}

TEST_F(AgentOrigin, ListedOriginAndAgentInfoNeedNoQuestion) {
    startAgent();
    EXPECT_TRUE(callFrom(kListed, "tokens.list").contains("result"));
    EXPECT_TRUE(callFrom(kUnlisted, "agent.info").contains("result"));
    EXPECT_TRUE(promptsShown(agent.pinentryLog()).empty());
}

TEST_F(AgentOrigin, NativeMessagingRequestWithoutAnOriginIsInvalid) {
    startAgent();
    EXPECT_EQ(reasonOf(client->call("tokens.list")), "INVALID_REQUEST");
    EXPECT_EQ(reasonOf(callFrom("local", "tokens.list")), "INVALID_REQUEST");
    EXPECT_EQ(reasonOf(callFrom("https://a.example/path?x", "tokens.list")), "INVALID_REQUEST");
}

TEST_F(AgentOrigin, SiteRefusedThroughNativeMessagingIsAskedOnce) {
    startAgent();
    agent.script("confirm no\nconfirm yes\nconfirm yes\nconfirm yes\n");
    EXPECT_EQ(reasonOf(callFrom(kUnlisted, "tokens.list")), "ORIGIN_NOT_ALLOWED");
    // The same page again, another subdomain, another scheme or port of the same site: refused
    // from memory, not asked again (the script would have said yes).
    for (const std::string origin :
         {std::string(kUnlisted), std::string("https://www.unlisted.example"),
          std::string("http://cdn.unlisted.example:8443")}) {
        EXPECT_EQ(reasonOf(callFrom(origin, "certificates.list")), "ORIGIN_NOT_ALLOWED") << origin;
    }
    EXPECT_EQ(promptsShown(agent.pinentryLog()).size(), 1u);
    EXPECT_EQ(allowedOrigins(), json({kListed}));
    // Another site is still asked.
    EXPECT_TRUE(callFrom("https://other.example", "tokens.list").contains("result"));
    EXPECT_EQ(promptsShown(agent.pinentryLog()).size(), 2u);
}

TEST_F(AgentOrigin, SiteNotYetAllowedCannotProbeWhichRenewalsOrTokensExist) {
    // Before the person allows a site, its requests must not tell it whether a renewal id, a
    // token or a key exists: every lookup is answered only after consent.
    startAgent();
    agent.script("confirm no\n");
    EXPECT_EQ(reasonOf(callFrom(kUnlisted, "renewal.prove_possession",
                                {{"renewalId", "AAAAAAAAAAAAAAAAAAAAAA"},
                                 {"nonce", "AAAAAAAAAAAAAAAAAAAAAA=="}})),
              "ORIGIN_NOT_ALLOWED");
    EXPECT_EQ(reasonOf(callFrom(kUnlisted, "certificates.list",
                                {{"token", "pkcs11:token=No%20such%20token"}})),
              "ORIGIN_NOT_ALLOWED");
    EXPECT_EQ(promptsShown(agent.pinentryLog()).size(), 1u);
    // Malformed input is still refused at once, without a question.
    EXPECT_EQ(
        reasonOf(callFrom("https://other.example", "renewal.prove_possession", {{"renewalId", 7}})),
        "INVALID_PARAMS");
    EXPECT_EQ(promptsShown(agent.pinentryLog()).size(), 1u);
}

TEST_F(AgentOrigin, OriginWithAnEmptyHostIsInvalidWithoutAPrompt) {
    startAgent();
    agent.script("confirm yes\n");
    EXPECT_EQ(reasonOf(callFrom("http://:8080", "tokens.list")), "INVALID_REQUEST");
    EXPECT_TRUE(promptsShown(agent.pinentryLog()).empty());
}

TEST_F(AgentOrigin, ChallengeIsSignedForTheBrowserAttestedOriginNotOneInParams) {
    TestCa ca;
    const auto cert =
        provisionCertificate(hsm, ca, "Origin Key", firmante::pkcs11::KeyType::EcP256, false);
    startAgent();
    agent.script("pin 123456\n");
    std::vector<unsigned char> nonce(32);
    RAND_bytes(nonce.data(), 32);
    // A page cannot choose the origin: params.origin is not a parameter at all.
    EXPECT_EQ(reasonOf(callFrom(kListed, "auth.sign_challenge",
                                {{"certificate", cert.uri},
                                 {"nonce", firmante::agent::base64Encode(nonce)},
                                 {"origin", "https://bank.example"}})),
              "INVALID_PARAMS");
    const auto response =
        callFrom(kListed, "auth.sign_challenge",
                 {{"certificate", cert.uri}, {"nonce", firmante::agent::base64Encode(nonce)}});
    ASSERT_TRUE(response.contains("result")) << response.dump();
    const auto signature =
        *firmante::agent::base64Decode(response["result"]["signature"].get<std::string>());
    EXPECT_TRUE(verifyOriginBound(cert.der, kListed, nonce, signature));
    EXPECT_FALSE(verifyOriginBound(cert.der, "local", nonce, signature));
    const auto shown = promptsShown(agent.pinentryLog());
    ASSERT_EQ(shown.size(), 1u);
    EXPECT_NE(shown[0]["description"].get<std::string>().find(kListed), std::string::npos);
}

TEST_F(AgentOrigin, RenewalStatusShowsASiteOnlyTheRenewalsItBegan) {
    TestCa ca;
    const auto cert = provisionCertificate(hsm, ca, "Patrón", firmante::pkcs11::KeyType::EcP256,
                                           /*expired=*/true);
    constexpr const char* kOther = "http://127.0.0.1:9090";
    firmante::testing::writeFile(agent.config().string(),
                                 json{{"allowedOrigins", {kListed, kOther}}}.dump());
    agent.start();
    connect();
    agent.script("pin 123456\n");
    const auto begun =
        callFrom(kListed, "renewal.begin", {{"certificate", cert.uri}, {"keyType", "ec-p256"}});
    ASSERT_TRUE(begun.contains("result")) << begun.dump();
    const std::string id = begun["result"]["renewalId"];

    const auto own = callFrom(kListed, "renewal.status", {{"renewalId", id}});
    ASSERT_TRUE(own.contains("result")) << own.dump();
    EXPECT_EQ(callFrom(kListed, "renewal.status")["result"]["renewals"].size(), 1u);

    EXPECT_EQ(reasonOf(callFrom(kOther, "renewal.status", {{"renewalId", id}})), "RENEWAL_STATE");
    const auto others = callFrom(kOther, "renewal.status");
    ASSERT_TRUE(others.contains("result")) << others.dump();
    EXPECT_TRUE(others["result"]["renewals"].empty()) << others.dump();
    EXPECT_EQ(others.dump().find(kListed), std::string::npos) << "no trace of the other site";

    AgentClient cli(agent.socket());  // the person's own CLI sees every renewal
    cli.hello();
    EXPECT_EQ(cli.call("renewal.status")["result"]["renewals"].size(), 1u);
}
