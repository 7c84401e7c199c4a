// firmante-nmhost in front of the real agent, started the way Chromium starts a native host:
// a browser-side client drives tokens.list and a signature through it, and with no agent
// running the relay starts one (issue 4).
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <openssl/rand.h>

#include "AgentFixture.h"
#include "RelayProcess.h"
#include "firmante/agent/Base64.h"
#include "firmante/testing/Browser.h"
#include "firmante/testing/Process.h"

using namespace firmante::agent::testing;
using firmante::agent::base64Decode;
using firmante::nmtest::RelayProcess;
using firmante::pkcs11::KeyType;
using firmante::testing::kExtensionCaller;
using firmante::testing::kPortalOrigin;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// The agent a relay started is detached from us: find it by the socket it was told to use.
std::vector<pid_t> agentsUsing(const std::filesystem::path& socket) {
    std::vector<pid_t> out;
    const std::string wanted = "FIRMANTE_SOCKET=" + socket.string();
    for (auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string name = entry.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream comm(entry.path() / "comm");
        std::string command;
        std::getline(comm, command);
        if (command != "firmante-agent") continue;
        std::ifstream environ(entry.path() / "environ", std::ios::binary);
        std::stringstream all;
        all << environ.rdbuf();
        std::string var;
        while (std::getline(all, var, '\0'))
            if (var == wanted) out.push_back(std::stoi(name));
    }
    return out;
}

json request(int id, const std::string& method, json params) {
    return {{"jsonrpc", "2.0"},
            {"id", id},
            {"method", method},
            {"params", params},
            {"origin", kPortalOrigin}};
}

class AgentRelay : public AgentFixture {
  protected:
    AgentRelay() : AgentFixture("firmante-agent-relay", "Relay Token") {}
    void SetUp() override { configure({{"allowedOrigins", {kPortalOrigin}}}); }
    void TearDown() override {
        for (pid_t pid : agentsUsing(agent.socket())) ::kill(pid, SIGTERM);
        auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!agentsUsing(agent.socket()).empty() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(20ms);  // polling a process table, not synchronising
    }
    json roundTrip(RelayProcess& relay, const json& message, std::chrono::milliseconds timeout) {
        relay.writeFrame(message.dump());
        auto frame = relay.readFrame(timeout);
        if (!frame) return json{{"error", "no frame"}};
        return json::parse(*frame);
    }
};

}  // namespace

TEST_F(AgentRelay, BrowserClientListsTokensAndSignsAChallengeThroughTheRelayAndTheRealAgent) {
    const auto cert = provisionCertificate(hsm, ca, "Relay Key", KeyType::EcP256, false);
    agent.start();
    RelayProcess relay(FIRMANTE_NMHOST_PATH, {kExtensionCaller}, agent.environment());

    auto tokens = roundTrip(relay, request(1, "tokens.list", json::object()), 20s);
    ASSERT_TRUE(tokens.contains("result")) << tokens.dump();
    ASSERT_EQ(tokens["result"]["tokens"].size(), 1u);
    EXPECT_EQ(tokens["result"]["tokens"][0]["label"], "Relay Token");

    agent.script("pin 123456\n");
    std::vector<unsigned char> nonce(32);
    RAND_bytes(nonce.data(), static_cast<int>(nonce.size()));
    auto signed_ =
        roundTrip(relay, request(2, "auth.sign_challenge", challengeParams(cert.uri, nonce)), 60s);
    ASSERT_TRUE(signed_.contains("result")) << signed_.dump();
    EXPECT_EQ(signed_["id"], 2);
    const auto signature = *base64Decode(signed_["result"]["signature"].get<std::string>());
    EXPECT_TRUE(verifyOriginBound(cert.der, kPortalOrigin, nonce, signature))
        << "bound to the origin the extension attested";
    EXPECT_FALSE(verifyOriginBound(cert.der, "local", nonce, signature));
    auto shown = promptsShown(agent.pinentryLog());
    ASSERT_FALSE(shown.empty());
    EXPECT_NE(shown.back().dump().find(kPortalOrigin), std::string::npos) << shown.back().dump();

    relay.closeStdin();
    EXPECT_EQ(relay.waitExit(10s), 0) << "the relay leaves when the browser closes its stdin";
}

TEST_F(AgentRelay, RelayStartsTheAgentWhenNoneIsRunning) {
    ASSERT_TRUE(agentsUsing(agent.socket()).empty());
    auto env = agent.environment();
    env["FIRMANTE_AGENT"] = AgentProcess::binary();
    RelayProcess relay(FIRMANTE_NMHOST_PATH, {kExtensionCaller}, env);

    auto info = roundTrip(relay, request(1, "agent.info", json::object()), 20s);
    ASSERT_TRUE(info.contains("result")) << info.dump();
    EXPECT_EQ(info["result"]["protocolVersion"], 1);
    auto tokens = roundTrip(relay, request(2, "tokens.list", json::object()), 20s);
    ASSERT_TRUE(tokens.contains("result")) << tokens.dump();
    EXPECT_EQ(tokens["result"]["tokens"][0]["label"], "Relay Token");
    EXPECT_EQ(agentsUsing(agent.socket()).size(), 1u) << "exactly one agent was started";
}
