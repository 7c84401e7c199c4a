// What SoftHSM alone cannot show, through the fault-injecting module (tests/fault-module): the
// exact number of C_Login calls, the final-try warning, a PIN-pad reader, a token pulled out while
// requests wait, and the queue's BUSY and TIMEOUT answers.
#include <gtest/gtest.h>

#include <openssl/rand.h>

#include <sstream>
#include <thread>

#include "FaultAgentFixture.h"
#include "firmante/agent/AgentConfig.h"
#include "firmante/agent/Base64.h"
#include "firmante/testing/Eventually.h"
#include "firmante/testing/Process.h"

using namespace firmante::agent::testing;
using firmante::testing::eventually;
using nlohmann::json;

namespace {

class AgentFault : public FaultAgentFixture {
  protected:
    AgentFault() : FaultAgentFixture("firmante-agent-fault", "Agent Fault") {}

    void start(const json& config = json::object()) { startAgent(config); }
    json challenge(AgentClient& c, const std::string& uri) {
        std::vector<unsigned char> nonce(32);
        RAND_bytes(nonce.data(), 32);
        return c.call("auth.sign_challenge", challengeParams(uri, nonce));
    }
    // The log also records injected faults; only the C_Login lines count here.
    int loginCalls() const { return logged("C_Login"); }
    std::filesystem::path held() const { return agent.pinentryScript().string() + ".held"; }
    void release() const {
        firmante::testing::writeFile(agent.pinentryScript().string() + ".release", "go\n");
    }
};

}  // namespace

TEST_F(AgentFault, WrongPinReachesTheTokenExactlyOnce) {
    const auto cert =
        provisionCertificate(hsm, ca, "Fault Key", firmante::pkcs11::KeyType::EcP256, false);
    faults("");
    start();
    agent.script("pin 000000\n");
    EXPECT_EQ(reasonOf(challenge(*client, cert.uri)), "PIN_INCORRECT");
    EXPECT_EQ(loginCalls(), 1);
    EXPECT_EQ(promptsShown(agent.pinentryLog()).size(), 1u);
}

TEST_F(AgentFault, FinalTryIsWarnedInThePromptAndReportedAsOneTryLeft) {
    const auto cert =
        provisionCertificate(hsm, ca, "Fault Key", firmante::pkcs11::KeyType::EcP256, false);
    faults("final-try count-low");
    start();
    const auto tokens = client->call("tokens.list");
    EXPECT_EQ(tokens["result"]["tokens"][0]["pinFinalTry"], true);
    agent.script("pin 000000\n");
    const auto response = challenge(*client, cert.uri);
    ASSERT_EQ(reasonOf(response), "PIN_INCORRECT");
    EXPECT_EQ(response["error"]["data"]["triesLeft"], 1) << response.dump();
    EXPECT_EQ(response["error"]["data"]["pinFinalTry"], true);
    const auto shown = promptsShown(agent.pinentryLog());
    ASSERT_EQ(shown.size(), 1u);
    EXPECT_NE(shown[0].value("error", "").find("último intento"), std::string::npos)
        << shown[0].dump();
}

TEST_F(AgentFault, LockedPinIsReportedWithoutAskingForIt) {
    const auto cert =
        provisionCertificate(hsm, ca, "Fault Key", firmante::pkcs11::KeyType::EcP256, false);
    faults("locked");
    start();
    agent.script("pin 123456\n");
    EXPECT_EQ(reasonOf(challenge(*client, cert.uri)), "PIN_LOCKED");
    EXPECT_TRUE(promptsShown(agent.pinentryLog()).empty());
    EXPECT_EQ(loginCalls(), 0);
}

TEST_F(AgentFault, PinpadReaderGetsANoticeAndThePinIsTypedOnTheReader) {
    const auto cert =
        provisionCertificate(hsm, ca, "Fault Key", firmante::pkcs11::KeyType::EcP256, false);
    faults("pinpad pinpad-pin=123456");
    start();
    agent.script("confirm yes\n");
    const auto response = challenge(*client, cert.uri);
    ASSERT_TRUE(response.contains("result")) << response.dump();
    const auto shown = promptsShown(agent.pinentryLog());
    ASSERT_EQ(shown.size(), 1u);
    EXPECT_EQ(shown[0]["command"], "CONFIRM");  // no PIN field at all
    EXPECT_NE(shown[0]["description"].get<std::string>().find("teclado del lector"),
              std::string::npos);
    EXPECT_EQ(loginCalls(), 1);
}

TEST_F(AgentFault, RemovedTokenFailsWaitingWorkAndNotifiesConnections) {
    const auto cert =
        provisionCertificate(hsm, ca, "Fault Key", firmante::pkcs11::KeyType::EcP256, false);
    faults("");
    start();
    AgentClient watcher(agent.socket());
    watcher.hello();
    agent.script("hold pin 123456\npin 123456\n");
    // Request A sits in its PIN prompt on the token's worker; B waits in the queue behind it.
    AgentClient a(agent.socket());
    a.hello();
    std::vector<unsigned char> nonce(32, 7);
    a.sendFrame(json{{"jsonrpc", "2.0"},
                     {"id", 1},
                     {"method", "auth.sign_challenge"},
                     {"params", challengeParams(cert.uri, nonce)}}
                    .dump());
    ASSERT_TRUE(eventually([&] { return std::filesystem::exists(held()); }));
    client->sendFrame(json{{"jsonrpc", "2.0"},
                           {"id", 2},
                           {"method", "auth.sign_challenge"},
                           {"params", challengeParams(cert.uri, nonce)}}
                          .dump());
    faults("removed");
    const auto waiting = client->readResponse(std::chrono::seconds(15));
    ASSERT_TRUE(waiting);
    EXPECT_EQ(reasonOf(*waiting), "TOKEN_REMOVED");
    const auto notification = watcher.read(std::chrono::seconds(15));
    ASSERT_TRUE(notification);
    EXPECT_EQ((*notification)["method"], "tokens.changed");
    EXPECT_TRUE((*notification)["params"]["tokens"].empty());
    release();
    const auto running = a.readResponse(std::chrono::seconds(15));
    ASSERT_TRUE(running);
    EXPECT_TRUE(running->contains("error")) << running->dump();
    // Back in: announced again, and usable.
    faults("");
    const auto back = watcher.read(std::chrono::seconds(15));
    ASSERT_TRUE(back);
    EXPECT_EQ((*back)["params"]["tokens"].size(), 1u);
    EXPECT_TRUE(challenge(*client, cert.uri).contains("result"));
}

// Issue 9 §9: pulled out in the middle of an operation (after the PIN, as the signature starts),
// the answer is TOKEN_REMOVED, not INTERNAL; tokens.list stops listing the token; put back, it
// works again without restarting the agent.
TEST_F(AgentFault, ATokenPulledOutMidOperationIsTokenRemovedAndComesBackWithoutRestart) {
    const auto cert =
        provisionCertificate(hsm, ca, "Fault Key", firmante::pkcs11::KeyType::EcP256, false);
    faults("");
    start();
    agent.script("pin 123456\npin 123456\n");
    faults("remove-at=C_SignInit");
    const auto pulled = challenge(*client, cert.uri);
    EXPECT_EQ(reasonOf(pulled), "TOKEN_REMOVED") << pulled.dump();
    ASSERT_TRUE(
        eventually([&] { return client->call("tokens.list")["result"]["tokens"].empty(); }));
    const auto gone = challenge(*client, cert.uri);
    EXPECT_EQ(reasonOf(gone), "TOKEN_NOT_PRESENT") << gone.dump();

    faults("");
    ASSERT_TRUE(
        eventually([&] { return client->call("tokens.list")["result"]["tokens"].size() == 1u; }));
    const auto back = challenge(*client, cert.uri);
    EXPECT_TRUE(back.contains("result")) << back.dump();
}

TEST_F(AgentFault, FullQueueIsBusyAndAStaleRequestTimesOut) {
    const auto cert =
        provisionCertificate(hsm, ca, "Fault Key", firmante::pkcs11::KeyType::EcP256, false);
    faults("");
    start({{"limits", {{"queueLength", 1}, {"queueTimeoutSeconds", 1}}}});
    agent.script("hold pin 123456\n");
    AgentClient a(agent.socket());
    a.hello();
    const std::vector<unsigned char> nonce(32, 9);
    const auto request = [&](int id) {
        return json{{"jsonrpc", "2.0"},
                    {"id", id},
                    {"method", "auth.sign_challenge"},
                    {"params", challengeParams(cert.uri, nonce)}}
            .dump();
    };
    a.sendFrame(request(1));
    ASSERT_TRUE(eventually([&] { return std::filesystem::exists(held()); }));
    client->sendFrame(request(2));  // queued (the one place)
    AgentClient c(agent.socket());
    c.hello();
    c.sendFrame(request(3));
    const auto busy = c.readResponse(std::chrono::seconds(10));
    ASSERT_TRUE(busy);
    EXPECT_EQ(reasonOf(*busy), "BUSY");
    const auto timedOut = client->readResponse(std::chrono::seconds(15));
    ASSERT_TRUE(timedOut);
    EXPECT_EQ(reasonOf(*timedOut), "TIMEOUT");
    release();
    const auto first = a.readResponse(std::chrono::seconds(15));
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->contains("result")) << first->dump();
}

namespace {

// Private key objects on the token, as OpenSC's pkcs11-tool lists them (straight on SoftHSM).
int privateKeysOnToken(const firmante::testing::SoftHsmToken& hsm) {
    const auto r = firmante::testing::run(
        {"pkcs11-tool", "--module", firmante::testing::SoftHsmToken::modulePath(), "--token-label",
         hsm.label(), "--login", "--pin", firmante::testing::SoftHsmToken::kUserPin,
         "--list-objects", "--type", "privkey"});
    int n = 0;
    for (std::size_t at = 0; (at = r.out.find("Private Key Object", at)) != std::string::npos; ++at)
        ++n;
    return n;
}

}  // namespace

// Issue 11 §5: a card that records no access flags (the IsoApplet of the issue, played by the
// fault module) gets a new key whose provenance renewal.begin says plainly is not confirmed.
TEST_F(AgentFault, RenewalBeginSaysInWordsWhenTheTokenDoesNotVouchForTheNewKey) {
    const auto old =
        provisionCertificate(hsm, ca, "Patron", firmante::pkcs11::KeyType::EcP256, true);
    faults("no-access-flags");
    start();
    agent.script("pin 123456\n");
    const auto begun = client->call("renewal.begin", {{"certificate", old.uri}});
    ASSERT_TRUE(begun.contains("result")) << begun.dump();
    const auto& a = begun["result"]["keyAttributes"];
    EXPECT_EQ(a["local"], false);
    EXPECT_EQ(a["provenanceConfirmed"], false);
    const auto words = a["provenance"].get<std::string>();
    EXPECT_NE(words.find("NO confirma que la llave se generó en él"), std::string::npos) << words;
    EXPECT_NE(words.find("does NOT confirm"), std::string::npos) << words;
    EXPECT_NE(words.find("CKA_LOCAL"), std::string::npos) << words;
    EXPECT_EQ(privateKeysOnToken(hsm), 2);  // allowed without the config option
}

TEST_F(AgentFault, RenewalBeginOnATokenThatVouchesForTheKeySaysSo) {
    const auto old =
        provisionCertificate(hsm, ca, "Patron", firmante::pkcs11::KeyType::EcP256, true);
    start({{"renewal", {{"requireConfirmedProvenance", true}}}});
    agent.script("pin 123456\n");
    const auto begun = client->call("renewal.begin", {{"certificate", old.uri}});
    ASSERT_TRUE(begun.contains("result")) << begun.dump();
    EXPECT_EQ(begun["result"]["keyAttributes"]["provenanceConfirmed"], true);
    EXPECT_NE(begun["result"]["keyAttributes"]["provenance"].get<std::string>().find(
                  "El dispositivo confirma"),
              std::string::npos);
}

TEST_F(AgentFault, RequireConfirmedProvenanceRefusesTheKeyAndLeavesNothingBehind) {
    const auto old =
        provisionCertificate(hsm, ca, "Patron", firmante::pkcs11::KeyType::EcP256, true);
    faults("no-access-flags");
    start({{"renewal", {{"requireConfirmedProvenance", true}}}});
    agent.script("pin 123456\n");
    const auto refused = client->call("renewal.begin", {{"certificate", old.uri}});
    EXPECT_EQ(reasonOf(refused), "KEY_PROVENANCE_UNCONFIRMED") << refused.dump();
    const auto message = refused["error"]["message"].get<std::string>();
    EXPECT_NE(message.find("CKA_NEVER_EXTRACTABLE"), std::string::npos) << message;
    EXPECT_NE(message.find("Se borró la llave nueva"), std::string::npos) << message;
    faults("");
    EXPECT_EQ(privateKeysOnToken(hsm), 1);  // only the current key
    const auto status = client->call("renewal.status", json::object());
    ASSERT_TRUE(status.contains("result")) << status.dump();
    ASSERT_EQ(status["result"]["renewals"].size(), 1u);
    EXPECT_EQ(status["result"]["renewals"][0]["state"], "cancelled");
}

TEST(AgentConfigProvenance, RequireConfirmedProvenanceMustBeABoolean) {
    EXPECT_TRUE(firmante::agent::AgentConfig::fromJson(
                    json{{"renewal", {{"requireConfirmedProvenance", true}}}})
                    .requireConfirmedProvenance);
    EXPECT_FALSE(firmante::agent::AgentConfig::fromJson(json::object()).requireConfirmedProvenance);
    EXPECT_THROW(firmante::agent::AgentConfig::fromJson(
                     json{{"renewal", {{"requireConfirmedProvenance", "yes"}}}}),
                 std::runtime_error);
}

// Issue 11 §7: a module that can no longer list its tokens (SoftHSM once its token folder is
// gone) used to leave the token in tokens.list for ever and log "cannot list tokens" twice a
// second. Now the token is dropped after a few failed polls, the log says so once, and the token
// is back, usable, as soon as the module lists it again — without restarting the agent.
TEST_F(AgentFault, AModuleThatCannotListItsTokensDropsThemAndSaysSoOnce) {
    const auto cert =
        provisionCertificate(hsm, ca, "Fault Key", firmante::pkcs11::KeyType::EcP256, false);
    faults("");
    start();
    ASSERT_EQ(client->call("tokens.list")["result"]["tokens"].size(), 1u);
    faults("slot-list-fails trace");
    ASSERT_TRUE(
        eventually([&] { return client->call("tokens.list")["result"]["tokens"].empty(); }));
    // Many more polls fail (the module's own trace counts them), and the log still holds one line.
    auto failedPolls = [&] { return logged("C_GetSlotList", false); };
    ASSERT_TRUE(eventually([&] { return failedPolls() >= 10; }));
    const auto log = firmante::testing::readFile((agent.stateDir() / "agent.log").string());
    auto count = [&](const std::string& what) {
        int n = 0;
        for (auto at = log.find(what); at != std::string::npos; at = log.find(what, at + 1)) ++n;
        return n;
    };
    EXPECT_EQ(count("cannot list tokens"), 1) << log;
    EXPECT_EQ(count("taken as removed"), 1) << log;
    EXPECT_EQ(reasonOf(challenge(*client, cert.uri)), "TOKEN_NOT_PRESENT");

    faults("");
    ASSERT_TRUE(
        eventually([&] { return client->call("tokens.list")["result"]["tokens"].size() == 1u; }));
    agent.script("pin 123456\n");
    const auto back = challenge(*client, cert.uri);
    EXPECT_TRUE(back.contains("result")) << back.dump();
}
