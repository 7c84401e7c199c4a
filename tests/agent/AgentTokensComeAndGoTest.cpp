// Issue 11 §7, tokens that come and go: a removal announced at once through the module's slot
// events (the fault module's "slot-events"), and a token created in SoftHSM's folder while the
// agent runs, found by re-initialising the module when nothing uses it — never under a renewal's
// kept login (docs/tokens.md "Tokens that come and go").
#include <gtest/gtest.h>

#include <openssl/rand.h>

#include <sstream>
#include <thread>

#include "FaultAgentFixture.h"
#include "firmante/agent/AgentConfig.h"
#include "firmante/testing/Eventually.h"
#include "firmante/testing/Process.h"

using namespace firmante::agent::testing;
using firmante::testing::eventually;
using nlohmann::json;

namespace {

class AgentTokens : public FaultAgentFixture {
  protected:
    AgentTokens() : FaultAgentFixture("firmante-agent-tokens", "Agent Tokens") {}

    std::string agentLog() const {
        return firmante::testing::readFile((agent.stateDir() / "agent.log").string());
    }
    json challenge(const std::string& uri) {
        std::vector<unsigned char> nonce(32);
        RAND_bytes(nonce.data(), 32);
        return client->call("auth.sign_challenge", challengeParams(uri, nonce));
    }
    json tokens() { return client->call("tokens.list")["result"]["tokens"]; }
};

}  // namespace

// The slot list is read every 10 minutes here: within the test, only the module's slot event can
// make the agent notice the token going and coming back.
TEST_F(AgentTokens, ARemovalIsAnnouncedAtOnceWhenTheModuleReportsSlotEvents) {
    faults("slot-events");
    startAgent({{"tokens", {{"pollMilliseconds", 600000}}}});
    AgentClient watcher(agent.socket());
    watcher.hello();

    faults("slot-events removed");
    const auto gone = watcher.read(std::chrono::seconds(15));
    ASSERT_TRUE(gone) << "no tokens.changed after the slot event";
    EXPECT_EQ((*gone)["method"], "tokens.changed");
    EXPECT_TRUE((*gone)["params"]["tokens"].empty()) << gone->dump();
    EXPECT_TRUE(tokens().empty());
    EXPECT_NE(agentLog().find("the module reports slot events"), std::string::npos);

    faults("slot-events");
    const auto back = watcher.read(std::chrono::seconds(15));
    ASSERT_TRUE(back) << "no tokens.changed after the token came back";
    ASSERT_EQ((*back)["params"]["tokens"].size(), 1u) << back->dump();
    EXPECT_EQ((*back)["params"]["tokens"][0]["label"], "Agent Tokens");
    EXPECT_EQ(logged("slot event"), 2);
}

// SoftHSM reads its token folder only at C_Initialize. Started on a folder without tokens, the
// agent lists none; a token made with softhsm2-util meanwhile is listed, and announced, once
// tokens.list has the module re-initialised — without restarting the agent.
TEST_F(AgentTokens, ATokenCreatedWhileTheAgentRunsIsListedWithoutRestartingIt) {
    for (const auto& entry : std::filesystem::directory_iterator(hsm.dir() / "tokens"))
        std::filesystem::remove_all(entry.path());
    faults("");
    startAgent();
    const auto log = agentLog();
    EXPECT_EQ(log.find("token present"), std::string::npos) << log;
    AgentClient watcher(agent.socket());
    watcher.hello();

    hsm.addToken("Creado Despues");
    ASSERT_TRUE(eventually([&] {
        const auto listed = tokens();
        return listed.size() == 1u && listed[0]["label"] == "Creado Despues";
    }));
    const auto announced = watcher.read(std::chrono::seconds(15));
    ASSERT_TRUE(announced);
    EXPECT_EQ((*announced)["method"], "tokens.changed");
    ASSERT_EQ((*announced)["params"]["tokens"].size(), 1u) << announced->dump();
}

// A renewal keeps the token logged in between its steps (issue 12 §3). A re-initialisation would
// end that login, so none happens while it stands: the new token waits until the renewal ends,
// and the kept login still signs without a PIN. Afterwards the first token works again.
TEST_F(AgentTokens, ANewTokenWaitsUntilARenewalsKeptLoginEndsAndThatLoginIsNotDropped) {
    const auto old =
        provisionCertificate(hsm, ca, "Patron", firmante::pkcs11::KeyType::EcP256, true);
    faults("");
    startAgent();
    agent.script("pin 123456\n");
    const auto begun = client->call("renewal.begin", {{"certificate", old.uri}});
    ASSERT_TRUE(begun.contains("result")) << begun.dump();
    const auto id = begun["result"]["renewalId"].get<std::string>();
    ASSERT_EQ(logged("C_Login"), 1);

    hsm.addToken("Segundo");
    EXPECT_EQ(tokens().size(), 1u);  // the kept login holds the module as it is
    agent.script("");                // a PIN prompt now would be cancelled
    const auto signedWithoutPin = challenge(old.uri);
    EXPECT_TRUE(signedWithoutPin.contains("result")) << signedWithoutPin.dump();
    EXPECT_EQ(logged("C_Login"), 1);
    EXPECT_NE(agentLog().find("already unlocked for this renewal"), std::string::npos);

    agent.script("confirm yes\npin 123456\n");
    const auto cancelled = client->call("renewal.cancel", {{"renewalId", id}});
    ASSERT_TRUE(cancelled.contains("result")) << cancelled.dump();
    ASSERT_TRUE(eventually([&] { return tokens().size() == 2u; }));

    agent.script("pin 123456\n");
    const auto again = challenge(old.uri);
    EXPECT_TRUE(again.contains("result")) << again.dump();
}

TEST(AgentConfigTokens, PollIntervalAndReinitializeAreChecked) {
    using firmante::agent::AgentConfig;
    const auto config = AgentConfig::fromJson(
        json{{"tokens", {{"pollMilliseconds", 2000}, {"reinitialize", false}}}});
    EXPECT_EQ(config.tokenPoll, std::chrono::milliseconds(2000));
    EXPECT_FALSE(config.reinitializeModule);
    EXPECT_TRUE(AgentConfig::fromJson(json::object()).reinitializeModule);
    EXPECT_THROW(AgentConfig::fromJson(json{{"tokens", {{"pollMilliseconds", 10}}}}),
                 std::runtime_error);
    EXPECT_THROW(AgentConfig::fromJson(json{{"tokens", {{"reinitialize", "yes"}}}}),
                 std::runtime_error);
    EXPECT_THROW(AgentConfig::fromJson(json{{"tokens", 5}}), std::runtime_error);
}
