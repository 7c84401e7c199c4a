#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "AgentClient.h"
#include "AgentProcess.h"
#include "AgentTestUtil.h"
#include "TestPki.h"
#include "firmante/testing/Process.h"
#include "firmante/testing/SoftHsmToken.h"
#include "firmante/testing/TempDir.h"

namespace firmante::agent::testing {

/// What a test of the real agent over its socket starts from: a folder, a private SoftHSM token,
/// a test CA for the token's keys, the agent process (not started) and, once connected, a client.
class AgentFixture : public ::testing::Test {
  protected:
    using Environment = std::map<std::string, std::string>;

    /// `dirPrefix` names the temporary folder, `tokenLabel` the token; `extraEnv` is added to the
    /// agent's environment.
    AgentFixture(const char* dirPrefix, const std::string& tokenLabel, Environment extraEnv = {})
        : dir(dirPrefix), hsm(tokenLabel), agent(dir, hsm, std::move(extraEnv)) {}
    /// The same with an environment that names files in the test's folder.
    AgentFixture(const char* dirPrefix, const std::string& tokenLabel,
                 const std::function<Environment(const firmante::testing::TempDir&)>& extraEnv)
        : dir(dirPrefix), hsm(tokenLabel), agent(dir, hsm, extraEnv(dir)) {}

    /// Writes the agent's config file.
    void configure(const nlohmann::json& config) const {
        firmante::testing::writeFile(agent.config().string(), config.dump());
    }
    /// Writes `config` and starts the agent; it listens when this returns.
    void startWith(const nlohmann::json& config = nlohmann::json::object()) {
        configure(config);
        agent.start();
    }
    /// startWith(config), then connects the client as the CLI does (transport.hello).
    void startAgent(const nlohmann::json& config = nlohmann::json::object()) {
        startWith(config);
        connectCli();
    }
    void connectCli() {
        client = std::make_unique<AgentClient>(agent.socket());
        client->hello();
    }
    /// Connects the client as the native messaging host does for `browser`'s extension.
    void connectExtension(const std::string& browser, const std::string& extensionId) {
        client = std::make_unique<AgentClient>(agent.socket());
        const auto reply =
            client->hello("native-messaging", {{"browser", browser}, {"extensionId", extensionId}});
        ASSERT_TRUE(reply.contains("result")) << reply.dump();
    }
    /// A request the extension relays for a page of `origin`.
    nlohmann::json callFrom(const std::string& origin, const std::string& method,
                            nlohmann::json params = nullptr) {
        return client->call(method, std::move(params), {{"origin", origin}});
    }
    /// What the fake pinentry was shown so far, in order.
    std::vector<nlohmann::json> prompts() const { return promptsShown(agent.pinentryLog()); }

    firmante::testing::TempDir dir;
    firmante::testing::SoftHsmToken hsm;
    TestCa ca;
    AgentProcess agent;
    std::unique_ptr<AgentClient> client;
};

}  // namespace firmante::agent::testing
