#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "AgentClient.h"
#include "AgentProcess.h"
#include "AgentTestUtil.h"
#include "WsTestClient.h"
#include "firmante/testing/Process.h"

namespace firmante::websocket::testing {

inline constexpr const char* kAllowedOrigin = "http://127.0.0.1:8080";

/// A real agent serving the WebSocket on a port the system picks (FIRMANTE_WS_PORT=auto), with
/// kAllowedOrigin in its allowlist; the port comes from agent.info over the Unix socket.
class WebSocketFixture : public ::testing::Test {
  protected:
    /// `extraEnv` is added to the agent's environment (e.g. another PKCS#11 module).
    explicit WebSocketFixture(std::map<std::string, std::string> extraEnv = {})
        : agent(dir, hsm, withDefaults(std::move(extraEnv), dir)) {}

    /// Read by the fault-injecting module (tests/fault-module) when a test loads it.
    std::filesystem::path faultsFile() const { return dir / "faults"; }

    void startAgent(nlohmann::json config = nlohmann::json::object()) {
        if (!config.contains("allowedOrigins")) config["allowedOrigins"] = {kAllowedOrigin};
        firmante::testing::writeFile(agent.config().string(), config.dump());
        agent.start();
        agent::testing::AgentClient unix(agent.socket());
        unix.hello();
        const auto info = unix.call("agent.info");
        ASSERT_TRUE(info.contains("result")) << info.dump();
        ASSERT_TRUE(info["result"].contains("webSocketPort")) << info.dump();
        port = info["result"]["webSocketPort"].get<std::uint16_t>();
        ASSERT_NE(port, 0);
    }

    /// An open WebSocket from `origin`; fails the test when the upgrade is refused.
    std::unique_ptr<WsTestClient> connect(const std::string& origin = kAllowedOrigin) {
        auto client = std::make_unique<WsTestClient>(port);
        const auto status = client->handshake(origin);
        EXPECT_EQ(status, 101u) << client->refusalBody();
        return client;
    }

    /// The questions the fake pinentry showed so far, oldest first.
    std::vector<nlohmann::json> prompts() const {
        return agent::testing::promptsShown(agent.pinentryLog());
    }

    /// The agent still serves a well-behaved page.
    void expectStillServing() {
        auto client = connect();
        const auto info = client->call("agent.info");
        EXPECT_TRUE(info.contains("result")) << info.dump();
    }

    firmante::testing::TempDir dir{"firmante-ws-test"};
    firmante::testing::SoftHsmToken hsm{"WebSocket Test"};
    agent::testing::AgentProcess agent;
    std::uint16_t port = 0;

  private:
    static std::map<std::string, std::string> withDefaults(std::map<std::string, std::string> env,
                                                           const firmante::testing::TempDir& dir) {
        env["FIRMANTE_WS_PORT"] = "auto";
        env["FIRMANTE_FAULTS"] = (dir / "faults").string();
        return env;
    }
};

}  // namespace firmante::websocket::testing
