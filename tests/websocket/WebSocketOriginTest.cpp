// Who may open the WebSocket: the Origin (allowlist or the person's answer), the Host (DNS
// rebinding), duplicated headers, plain HTTP. Every refusal leaves the agent serving others.
#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>

#include "AgentClient.h"
#include "AgentTestUtil.h"
#include "RawSocket.h"
#include "WebSocketFixture.h"

using namespace firmante::websocket::testing;
using nlohmann::json;
namespace http = boost::beast::http;

namespace {

class WebSocketOrigin : public WebSocketFixture {};

json configOnDisk(const std::filesystem::path& path) {
    return json::parse(firmante::testing::readFile(path.string()));
}

}  // namespace

TEST_F(WebSocketOrigin, UpgradeWithoutOriginIsRefusedWith403) {
    startAgent();
    WsTestClient client(port);
    EXPECT_EQ(client.handshake(""), 403u);
    expectStillServing();
}

TEST_F(WebSocketOrigin, ForeignOriginRefusedInThePromptGets403AndIsNotRemembered) {
    startAgent();
    agent.script("confirm no\n");
    WsTestClient client(port);
    EXPECT_EQ(client.handshake("https://evil.example"), 403u);
    const auto shown = prompts();
    ASSERT_EQ(shown.size(), 1u);
    EXPECT_NE(shown[0]["description"].get<std::string>().find("https://evil.example"),
              std::string::npos);
    EXPECT_EQ(configOnDisk(agent.config())["allowedOrigins"], json({kAllowedOrigin}));

    // Refused again at once, without asking the person a second time.
    WsTestClient again(port);
    EXPECT_EQ(again.handshake("https://evil.example"), 403u);
    EXPECT_EQ(prompts().size(), 1u);
    expectStillServing();
}

TEST_F(WebSocketOrigin, UnknownOriginApprovedInThePromptIsServedAndRememberedInTheConfig) {
    startAgent();
    agent.script("confirm yes\n");
    const std::string origin = "https://portal.example";
    {
        auto client = connect(origin);
        const auto info = client->call("certificates.list");
        EXPECT_TRUE(info.contains("result")) << info.dump();
    }
    const auto allowed = configOnDisk(agent.config())["allowedOrigins"];
    EXPECT_NE(std::find(allowed.begin(), allowed.end(), origin), allowed.end()) << allowed.dump();
    // A second visit is not asked about.
    auto again = connect(origin);
    EXPECT_TRUE(again->call("tokens.list").contains("result"));
    EXPECT_EQ(prompts().size(), 1u);
}

TEST_F(WebSocketOrigin, HostOfAnotherNameIsRefusedAgainstDnsRebinding) {
    startAgent();
    const std::string attacker = "attacker.example:" + std::to_string(port);
    WsTestClient client(port);
    EXPECT_EQ(
        client.handshake(kAllowedOrigin,
                         [&](WsTestClient::Request& r) { r.set(http::field::host, attacker); }),
        403u);
    WsTestClient otherPort(port);
    EXPECT_EQ(otherPort.handshake(kAllowedOrigin,
                                  [&](WsTestClient::Request& r) {
                                      r.set(http::field::host,
                                            "127.0.0.1:" + std::to_string(port + 1));
                                  }),
              403u);
    expectStillServing();
}

TEST_F(WebSocketOrigin, SecondUpgradeOrOriginHeaderIsRefused) {
    startAgent();
    WsTestClient twoUpgrades(port);
    EXPECT_EQ(twoUpgrades.handshake(
                  kAllowedOrigin,
                  [](WsTestClient::Request& r) { r.insert(http::field::upgrade, "websocket"); }),
              403u);
    WsTestClient twoOrigins(port);
    EXPECT_EQ(twoOrigins.handshake(kAllowedOrigin,
                                   [](WsTestClient::Request& r) {
                                       r.insert(http::field::origin, "https://evil.example");
                                   }),
              403u);
    expectStillServing();
}

TEST_F(WebSocketOrigin, LocalOriginOfTheCliCannotBeClaimedOverWebSocket) {
    startAgent();
    WsTestClient client(port);
    EXPECT_EQ(client.handshake("local"), 403u);
    EXPECT_TRUE(prompts().empty());
}

TEST_F(WebSocketOrigin, PlainHttpGetGets426AndNeverTheProtocol) {
    startAgent();
    WsTestClient::Request request{http::verb::get, "/", 11};
    request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    request.set(http::field::origin, kAllowedOrigin);
    const auto reply = plainHttp(port, request);
    EXPECT_EQ(reply.status, 426u);
    EXPECT_EQ(reply.body.find("jsonrpc"), std::string::npos) << reply.body;
    EXPECT_LT(reply.body.size(), 200u);
    expectStillServing();
}

TEST_F(WebSocketOrigin, OversizedUpgradeHeaderIsRefusedWith431) {
    startAgent();
    WsTestClient client(port);
    EXPECT_EQ(client.handshake(kAllowedOrigin,
                               [](WsTestClient::Request& r) {
                                   r.set("X-Padding", std::string(16 * 1024, 'a'));
                               }),
              431u);
    expectStillServing();
}

TEST_F(WebSocketOrigin, OriginWithAnEmptyHostIsRefusedWithoutAPrompt) {
    startAgent();
    agent.script("confirm yes\n");
    for (const std::string origin : {"http://:8080", "https://:443", "http://[]:8080"}) {
        WsTestClient client(port);
        EXPECT_EQ(client.handshake(origin), 403u) << origin;
    }
    EXPECT_TRUE(prompts().empty());
    EXPECT_EQ(configOnDisk(agent.config())["allowedOrigins"], json({kAllowedOrigin}));
}

TEST_F(WebSocketOrigin, RefusedSiteIsNotAskedAgainUnderAnotherSubdomain) {
    startAgent();
    agent.script("confirm no\nconfirm yes\nconfirm yes\n");
    WsTestClient first(port);
    EXPECT_EQ(first.handshake("https://a.evil.example"), 403u);
    for (const std::string origin :
         {"https://b.evil.example", "http://evil.example:8080", "https://x.y.evil.example"}) {
        WsTestClient again(port);
        EXPECT_EQ(again.handshake(origin), 403u) << origin;
    }
    EXPECT_EQ(prompts().size(), 1u);
    expectStillServing();
}

TEST_F(WebSocketOrigin, SiteRefusedThroughNativeMessagingIsNotAskedAgainOverWebSocket) {
    startAgent();
    agent.script("confirm no\nconfirm yes\n");
    firmante::agent::testing::AgentClient extension(agent.socket());
    extension.hello("native-messaging", {{"browser", "chromium"}});
    const auto refused =
        extension.call("tokens.list", nullptr, {{"origin", "https://evil.example"}});
    EXPECT_EQ(firmante::agent::testing::reasonOf(refused), "ORIGIN_NOT_ALLOWED");
    // One consent queue, one memory: the page's WebSocket gets the same answer, unasked.
    WsTestClient page(port);
    EXPECT_EQ(page.handshake("https://evil.example"), 403u);
    EXPECT_EQ(prompts().size(), 1u);
}

TEST_F(WebSocketOrigin, FirstFrameSentInTheSamePacketAsTheUpgradeIsAnswered) {
    startAgent();
    RawSocket client(port);
    client.send(upgradeRequest(port, kAllowedOrigin) +
                maskedTextFrame(R"({"jsonrpc":"2.0","id":7,"method":"agent.info"})"));
    const auto reply =
        client.readUntil([](const std::string& r) { return !firstFramePayload(r).empty(); },
                         std::chrono::seconds(10));
    ASSERT_EQ(httpStatus(reply), 101u) << reply;
    const auto payload = firstFramePayload(reply);
    ASSERT_FALSE(payload.empty()) << "no answer to the first frame: " << reply;
    const auto response = json::parse(payload);
    EXPECT_EQ(response["id"], 7);
    EXPECT_TRUE(response["result"].contains("version")) << payload;
}
