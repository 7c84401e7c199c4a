// The agent's config file: remembered origins and limits.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "firmante/agent/AgentConfig.h"
#include "firmante/agent/ConfigStore.h"
#include "firmante/testing/Process.h"
#include "firmante/testing/TempDir.h"

using namespace firmante::agent;
using nlohmann::json;

TEST(Config, RememberedOriginRewritesConfigKeepingOtherMembers) {
    firmante::testing::TempDir dir;
    const auto path = dir / "config.json";
    firmante::testing::writeFile(
        path.string(), R"({"module":"/x.so","allowedOrigins":["https://a.example"],"custom":42})");
    ConfigStore store(path, AgentConfig::load(path));
    EXPECT_TRUE(store.originAllowed("local"));
    EXPECT_TRUE(store.originAllowed("https://a.example"));
    EXPECT_FALSE(store.originAllowed("https://b.example"));
    store.rememberOrigin("https://b.example");
    EXPECT_TRUE(store.originAllowed("https://b.example"));
    const auto written = json::parse(firmante::testing::readFile(path.string()));
    EXPECT_EQ(written["custom"], 42);
    EXPECT_EQ(written["module"], "/x.so");
    EXPECT_EQ(written["allowedOrigins"], json({"https://a.example", "https://b.example"}));
}

TEST(Config, ConfigRefusesLimitsThatWouldDisableAProtection) {
    EXPECT_THROW(AgentConfig::fromJson(json{{"limits", {{"maxFrameBytes", 1ull << 33}}}}),
                 std::runtime_error);
    EXPECT_THROW(AgentConfig::fromJson(json{{"allowedOrigins", {"https://a.example/x"}}}),
                 std::runtime_error);
    EXPECT_EQ(AgentConfig::fromJson(json{{"limits", {{"maxJsonDepth", 8}}}}).limits.maxJsonDepth,
              8u);
}
