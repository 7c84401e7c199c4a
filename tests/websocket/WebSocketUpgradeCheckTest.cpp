// The upgrade checks that need no agent: Host names, duplicates, origins.
#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>

#include "firmante/websocket/UpgradeCheck.h"
#include "firmante/websocket/WebSocketPort.h"

using namespace firmante::websocket;
namespace http = boost::beast::http;

namespace {

UpgradeRequest upgradeRequest(const std::string& host, const std::string& origin) {
    UpgradeRequest request{http::verb::get, "/", 11};
    request.set(http::field::host, host);
    request.set(http::field::upgrade, "websocket");
    request.set(http::field::connection, "Upgrade");
    request.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    request.set(http::field::sec_websocket_version, "13");
    if (!origin.empty()) request.set(http::field::origin, origin);
    return request;
}

}  // namespace

TEST(UpgradeCheck, LoopbackNamesWithOurPortAreOurHost) {
    EXPECT_TRUE(isLoopbackHost("127.0.0.1:31780", 31780));
    EXPECT_TRUE(isLoopbackHost("[::1]:31780", 31780));
    EXPECT_TRUE(isLoopbackHost("LocalHost:31780", 31780));
    EXPECT_FALSE(isLoopbackHost("127.0.0.1:31781", 31780));
    EXPECT_FALSE(isLoopbackHost("127.0.0.1", 31780));
    EXPECT_FALSE(isLoopbackHost("attacker.example:31780", 31780));
    EXPECT_FALSE(isLoopbackHost("localhost.attacker.example:31780", 31780));
    EXPECT_FALSE(isLoopbackHost("127.0.0.2:31780", 31780));
    EXPECT_FALSE(isLoopbackHost("", 31780));
}

TEST(UpgradeCheck, WellFormedUpgradeFromAWebOriginGoesOnToThePolicy) {
    EXPECT_FALSE(
        checkUpgradeRequest(upgradeRequest("127.0.0.1:4000", "https://portal.example"), 4000));
}

TEST(UpgradeCheck, RefusesRebindingMissingOriginLocalOriginNullOriginAndDuplicates) {
    const auto status = [](const UpgradeRequest& r) {
        auto refusal = checkUpgradeRequest(r, 4000);
        return refusal ? static_cast<unsigned>(refusal->status) : 0u;
    };
    EXPECT_EQ(status(upgradeRequest("attacker.example:4000", "https://a.example")), 403u);
    EXPECT_EQ(status(upgradeRequest("127.0.0.1:4000", "")), 403u);
    EXPECT_EQ(status(upgradeRequest("127.0.0.1:4000", "local")), 403u);
    EXPECT_EQ(status(upgradeRequest("127.0.0.1:4000", "null")), 403u);
    EXPECT_EQ(status(upgradeRequest("127.0.0.1:4000", "https://a.example/path")), 403u);
    auto twoOrigins = upgradeRequest("127.0.0.1:4000", "https://a.example");
    twoOrigins.insert(http::field::origin, "https://b.example");
    EXPECT_EQ(status(twoOrigins), 403u);
    auto twoHosts = upgradeRequest("127.0.0.1:4000", "https://a.example");
    twoHosts.insert(http::field::host, "attacker.example:4000");
    EXPECT_EQ(status(twoHosts), 403u);
}

TEST(UpgradeCheck, PlainGetIsToldToUpgradeAndNothingMore) {
    UpgradeRequest request{http::verb::get, "/", 11};
    request.set(http::field::host, "127.0.0.1:4000");
    EXPECT_EQ(static_cast<unsigned>(checkUpgradeRequest(request, 4000)->status), 426u);
}

TEST(UpgradeCheck, PortVariableDefaultsTo31780ZeroDisablesAutoAsksTheSystem) {
    EXPECT_EQ(parseWebSocketPort(nullptr), std::optional<std::uint16_t>(31780));
    EXPECT_EQ(parseWebSocketPort(""), std::optional<std::uint16_t>(31780));
    EXPECT_EQ(parseWebSocketPort("0"), std::nullopt);
    EXPECT_EQ(parseWebSocketPort("auto"), std::optional<std::uint16_t>(0));
    EXPECT_EQ(parseWebSocketPort("4000"), std::optional<std::uint16_t>(4000));
    EXPECT_THROW(parseWebSocketPort("65536"), std::invalid_argument);
    EXPECT_THROW(parseWebSocketPort("80x"), std::invalid_argument);
    EXPECT_THROW(parseWebSocketPort("-1"), std::invalid_argument);
}
