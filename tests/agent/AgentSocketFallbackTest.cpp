// Issue 10: without XDG_RUNTIME_DIR (a bare ssh session, some containers) the agent listened on
// /tmp/firmante-<uid>/agent.sock while the relay and the CLI looked nowhere, so the browser got
// NATIVE_UNAVAILABLE and the CLI silently went to the token directly while the agent ran.
// These tests share /tmp/firmante-<uid> and hold the ctest RESOURCE_LOCK of that folder.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "AgentFixture.h"
#include "RelayProcess.h"
#include "firmante/testing/Browser.h"
#include "firmante/testing/Process.h"

using namespace firmante::agent::testing;
using firmante::nmtest::RelayProcess;
using namespace firmante::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// Empty counts as unset for every binary; setting them empty also hides the test's own values.
const std::map<std::string, std::string> kNoRuntimeDir{{"FIRMANTE_SOCKET", ""},
                                                       {"XDG_RUNTIME_DIR", ""}};

class AgentSocketFallback : public AgentFixture {
  protected:
    AgentSocketFallback()
        : AgentFixture("firmante-agent-fallback", "Fallback Token", kNoRuntimeDir) {}
    void SetUp() override { startWith({{"allowedOrigins", {kPortalOrigin}}}); }
};

}  // namespace

TEST_F(AgentSocketFallback, AgentListensInAPrivatePerUserFolderUnderTmp) {
    const auto folder = std::filesystem::path("/tmp") / ("firmante-" + std::to_string(::getuid()));
    ASSERT_EQ(agent.socket(), folder / "agent.sock");
    struct stat st {};
    ASSERT_EQ(::lstat(agent.socket().c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    ASSERT_EQ(::lstat(folder.c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_uid, ::getuid());
    EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(AgentSocketFallback, RelayReachesTheAgentWithoutXdgRuntimeDir) {
    auto env = agent.environment();
    // Were the relay to start an agent of its own, this one would not be the agent that answers.
    env["FIRMANTE_AGENT"] = "/bin/false";
    RelayProcess relay(FIRMANTE_NMHOST_PATH, {kExtensionCaller}, env);
    relay.writeFrame(json{
        {"jsonrpc", "2.0"},
        {"id", 1},
        {"method", "tokens.list"},
        {"params", json::object()},
        {"origin",
         kPortalOrigin}}.dump());
    const auto frame = relay.readFrame(20s);
    ASSERT_TRUE(frame) << "the relay said nothing";
    const auto reply = json::parse(*frame);
    ASSERT_TRUE(reply.contains("result")) << reply.dump();
    ASSERT_EQ(reply["result"]["tokens"].size(), 1u);
    EXPECT_EQ(reply["result"]["tokens"][0]["label"], "Fallback Token");
    relay.closeStdin();
    EXPECT_EQ(relay.waitExit(10s), 0);
}

TEST_F(AgentSocketFallback, CliGoesThroughTheAgentWithoutXdgRuntimeDir) {
    auto env = agent.environment();
    const auto r = firmante::testing::run({FIRMANTE_CLI_PATH, "tokens", "--json"}, "", env);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto doc = json::parse(r.out);
    EXPECT_EQ(doc.at("via"), "agent") << "the CLI went to the token itself: " << r.out;
    EXPECT_EQ(doc.at("agent").at("socket"), agent.socket().string());
    EXPECT_EQ(doc.at("tokens").at(0).at("label"), "Fallback Token");
}
