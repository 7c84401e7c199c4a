// Issue 14: the extension's own pages (its popup) are not a site. Over native messaging they read
// status without a consent question, and no extension page ever signs, even when listed.
#include <gtest/gtest.h>

#include <openssl/rand.h>

#include "AgentFixture.h"
#include "firmante/agent/Base64.h"
#include "firmante/testing/Process.h"

using namespace firmante::agent::testing;
using nlohmann::json;

namespace {

constexpr const char* kOurId = "abcdefghijklmnopabcdefghijklmnop";
constexpr const char* kOurPopup = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";
constexpr const char* kFirefoxPopup = "moz-extension://0b7c3f4e-5d51-4a5e-9b0c-3f1f2f6e9d10";
constexpr const char* kListed = "http://127.0.0.1:8080";

class AgentExtensionPage : public AgentFixture {
  protected:
    AgentExtensionPage() : AgentFixture("firmante-agent-extension-page", "Extension Page") {}
    void startAgent(json allowed = json{kListed}) {
        startWith({{"allowedOrigins", std::move(allowed)}});
    }
};

}  // namespace

TEST_F(AgentExtensionPage, OurPopupReadsStatusWithoutAConsentQuestion) {
    startAgent();
    connectExtension("chromium", kOurId);
    agent.script("confirm no\n");  // a question, if one came, would be refused
    for (const char* method :
         {"agent.info", "tokens.list", "certificates.list", "renewal.status"}) {
        const auto reply = callFrom(kOurPopup, method);
        EXPECT_TRUE(reply.contains("result")) << method << ": " << reply.dump();
    }
    EXPECT_TRUE(promptsShown(agent.pinentryLog()).empty())
        << "the person was asked about the popup";
}

TEST_F(AgentExtensionPage, TheFirefoxPopupWithItsRandomUuidReadsStatusWithoutAQuestion) {
    startAgent();
    connectExtension("firefox", "firmante@firmante.org");
    agent.script("confirm no\n");
    const auto reply = callFrom(kFirefoxPopup, "tokens.list");
    EXPECT_TRUE(reply.contains("result")) << reply.dump();
    EXPECT_TRUE(promptsShown(agent.pinentryLog()).empty());
}

TEST_F(AgentExtensionPage, NoExtensionPageSignsEvenWhenItsOriginIsListed) {
    TestCa ca;
    const auto cert =
        provisionCertificate(hsm, ca, "Extension Key", firmante::pkcs11::KeyType::EcP256, false);
    startAgent(json{kListed, kOurPopup, kFirefoxPopup});
    connectExtension("chromium", kOurId);
    agent.script("pin 123456\n");
    std::vector<unsigned char> nonce(32);
    RAND_bytes(nonce.data(), 32);
    const json challenge{{"certificate", cert.uri},
                         {"nonce", firmante::agent::base64Encode(nonce)}};
    EXPECT_EQ(reasonOf(callFrom(kOurPopup, "auth.sign_challenge", challenge)),
              "ORIGIN_NOT_ALLOWED");
    EXPECT_EQ(reasonOf(callFrom(kOurPopup, "renewal.begin", {{"certificate", cert.uri}})),
              "ORIGIN_NOT_ALLOWED");
    EXPECT_EQ(reasonOf(callFrom(
                  kFirefoxPopup, "documents.sign",
                  {{"certificate", cert.uri}, {"document", "JVBERi0="}, {"fileName", "a.pdf"}})),
              "ORIGIN_NOT_ALLOWED");
    EXPECT_TRUE(promptsShown(agent.pinentryLog()).empty()) << "no PIN was asked for a popup";
    // The same call from the listed site is signed: the refusal is the page's kind, not the token.
    EXPECT_TRUE(callFrom(kListed, "auth.sign_challenge", challenge).contains("result"));
}

TEST_F(AgentExtensionPage, AnotherExtensionsPageIsAskedAboutLikeAnySite) {
    startAgent();
    connectExtension("chromium", kOurId);
    agent.script("confirm no\n");
    EXPECT_EQ(
        reasonOf(callFrom("chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba", "tokens.list")),
        "ORIGIN_NOT_ALLOWED");
    EXPECT_EQ(promptsShown(agent.pinentryLog()).size(), 1u);
}

// The attacker: another extension whose page the person allowed (listed) asks renewal.status
// without an id, hoping to learn where else the person renews. Our own popup sees every renewal;
// that page is a site, and sees only what it began — nothing here. (An earlier agent judged "our
// extension" by the origin's scheme, and showed such a page every site's renewals.)
TEST_F(AgentExtensionPage, AnotherExtensionsListedPageSeesNoneOfTheRenewalsASiteBegan) {
    constexpr const char* kOtherExtension = "chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba";
    TestCa ca;
    const auto cert =
        provisionCertificate(hsm, ca, "Patrón", firmante::pkcs11::KeyType::EcP256, true);
    startAgent(json{kListed, kOtherExtension});
    connectExtension("chromium", kOurId);
    agent.script("pin 123456\n");
    const auto begun =
        callFrom(kListed, "renewal.begin", {{"certificate", cert.uri}, {"keyType", "ec-p256"}});
    ASSERT_TRUE(begun.contains("result")) << begun.dump();
    const std::string id = begun["result"]["renewalId"];

    const auto seen = callFrom(kOtherExtension, "renewal.status");
    ASSERT_TRUE(seen.contains("result")) << seen.dump();
    EXPECT_TRUE(seen["result"]["renewals"].empty()) << seen.dump();
    EXPECT_EQ(seen.dump().find(kListed), std::string::npos) << "no trace of the site";
    EXPECT_EQ(reasonOf(callFrom(kOtherExtension, "renewal.status", {{"renewalId", id}})),
              "RENEWAL_STATE");
    // Our own popup, on the same relay, sees it: the refusal is the page's, not the journal's.
    const auto ours = callFrom(kOurPopup, "renewal.status");
    ASSERT_TRUE(ours.contains("result")) << ours.dump();
    EXPECT_EQ(ours["result"]["renewals"].size(), 1u) << ours.dump();
}
