// What a page gets once the WebSocket is open: the methods with the Origin header as the origin,
// the message limit, notifications, the connection cap, shutdown, and loopback-only sockets.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <openssl/rand.h>

#include <algorithm>
#include <sstream>
#include <thread>

#include "AgentTestUtil.h"
#include "TestPki.h"
#include "WebSocketFixture.h"
#include "firmante/agent/Base64.h"

using namespace firmante::websocket::testing;
using firmante::agent::base64Decode;
using firmante::agent::testing::challengeParams;
using firmante::agent::testing::verifyOriginBound;
using nlohmann::json;

namespace {

class WebSocketTransport : public WebSocketFixture {};

class WebSocketTokenEvents : public WebSocketFixture {
  protected:
    WebSocketTokenEvents() : WebSocketFixture({{"FIRMANTE_MODULE", FIRMANTE_FAULT_MODULE}}) {}
    void faults(const std::string& words) {
        firmante::testing::writeFile(faultsFile().string(), words);
    }
};

}  // namespace

TEST_F(WebSocketTransport, AllowedOriginGetsAgentInfoTokensCertificatesAndAnOriginBoundSignature) {
    firmante::agent::testing::TestCa ca;
    const auto cert = firmante::agent::testing::provisionCertificate(
        hsm, ca, "WS Login", firmante::pkcs11::KeyType::EcP256, false);
    startAgent();
    auto client = connect();

    const auto info = client->call("agent.info");
    ASSERT_TRUE(info.contains("result")) << info.dump();
    const auto transports = info["result"]["transports"];
    EXPECT_NE(std::find(transports.begin(), transports.end(), "websocket"), transports.end());
    EXPECT_EQ(info["result"]["webSocketPort"], port);

    const auto tokens = client->call("tokens.list");
    ASSERT_TRUE(tokens.contains("result")) << tokens.dump();
    ASSERT_EQ(tokens["result"]["tokens"].size(), 1u);
    EXPECT_EQ(tokens["result"]["tokens"][0]["label"], "WebSocket Test");

    const auto certs = client->call("certificates.list");
    ASSERT_TRUE(certs.contains("result")) << certs.dump();
    ASSERT_EQ(certs["result"]["certificates"].size(), 1u);
    EXPECT_EQ(certs["result"]["certificates"][0]["uri"], cert.uri);

    // The origin signed over is the Origin header's, not anything the page could put in params.
    agent.script("pin 123456\n");
    std::vector<unsigned char> nonce(32);
    RAND_bytes(nonce.data(), static_cast<int>(nonce.size()));
    const auto signed_ = client->call("auth.sign_challenge", challengeParams(cert.uri, nonce));
    ASSERT_TRUE(signed_.contains("result")) << signed_.dump();
    const auto signature = *base64Decode(signed_["result"]["signature"].get<std::string>());
    EXPECT_TRUE(verifyOriginBound(cert.der, kAllowedOrigin, nonce, signature));
    EXPECT_FALSE(verifyOriginBound(cert.der, "local", nonce, signature));
}

TEST_F(WebSocketTransport, OversizedMessageClosesThatConnectionWithTooBigAndOthersGoOn) {
    startAgent({{"limits", {{"maxFrameBytes", 64 * 1024}}}});
    auto bystander = connect();
    auto client = connect();
    client->send(std::string(100 * 1024, ' '));
    EXPECT_EQ(client->waitForClose(), 1009);  // too big
    EXPECT_TRUE(bystander->call("agent.info").contains("result"));
    expectStillServing();
}

TEST_F(WebSocketTransport, MessageJustUnderTheLimitIsAnsweredWithAJsonRpcError) {
    startAgent({{"limits", {{"maxFrameBytes", 64 * 1024}}}});
    auto client = connect();
    client->send("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"agent.info\",\"params\":{\"x\":\"" +
                 std::string(60 * 1024, 'a') + "\"}}");
    const auto reply = client->read();
    EXPECT_EQ(reply["id"], 9);
    EXPECT_EQ(firmante::agent::testing::reasonOf(reply), "INVALID_PARAMS");
    EXPECT_TRUE(client->call("agent.info").contains("result"));
}

TEST_F(WebSocketTransport, BinaryMessageClosesTheConnectionWithUnsupportedData) {
    startAgent();
    auto client = connect();
    client->sendBinary(std::string("\x00\x01\x02", 3));
    EXPECT_EQ(client->waitForClose(), 1003);
    expectStillServing();
}

TEST_F(WebSocketTransport, MalformedJsonGetsParseErrorAndTheConnectionStays) {
    startAgent();
    auto client = connect();
    client->send("{not json");
    const auto reply = client->read();
    EXPECT_EQ(firmante::agent::testing::reasonOf(reply), "PARSE_ERROR");
    EXPECT_TRUE(client->call("agent.info").contains("result"));
}

TEST_F(WebSocketTokenEvents, TokensChangedReachesAnOpenClientWhenATokenComesAndGoes) {
    // SoftHSM does not show a token that another process adds while the agent runs, so the
    // token is "inserted" and "pulled out" through the fault-injecting module.
    faults("removed");
    startAgent();
    auto client = connect();
    const auto info = client->call("agent.info");
    ASSERT_TRUE(info.contains("result")) << info.dump();
    ASSERT_TRUE(info["result"]["tokens"].empty()) << info.dump();

    faults("");
    auto inserted = client->waitForNotification("tokens.changed", std::chrono::seconds(30));
    ASSERT_TRUE(inserted) << "no tokens.changed within 30 s of the insertion";
    ASSERT_EQ((*inserted)["params"]["tokens"].size(), 1u) << inserted->dump();
    EXPECT_EQ((*inserted)["params"]["tokens"][0]["label"], "WebSocket Test");

    faults("removed");
    auto removed = client->waitForNotification("tokens.changed", std::chrono::seconds(30));
    ASSERT_TRUE(removed) << "no tokens.changed within 30 s of the removal";
    EXPECT_TRUE((*removed)["params"]["tokens"].empty()) << removed->dump();
}

TEST_F(WebSocketTransport, SixtyFifthConnectionIsClosedAtOnceUntilOneCloses) {
    startAgent();
    std::vector<std::unique_ptr<WsTestClient>> open;
    for (int i = 0; i < 64; ++i) open.push_back(connect());
    WsTestClient extra(port);
    EXPECT_EQ(extra.handshake(kAllowedOrigin), 0u);  // closed before anything is read

    open.pop_back();  // the client goes away; its slot comes back when the agent notices
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    unsigned status = 0;
    while (status != 101 && std::chrono::steady_clock::now() < deadline) {
        WsTestClient retry(port);
        status = retry.handshake(kAllowedOrigin);
        if (status == 101) {
            EXPECT_TRUE(retry.call("agent.info").contains("result"));
        }
    }
    EXPECT_EQ(status, 101u);
}

TEST_F(WebSocketTransport, StoppingTheAgentClosesOpenConnectionsWithGoingAway) {
    startAgent();
    auto client = connect();
    ASSERT_TRUE(client->call("agent.info").contains("result"));
    // The client keeps reading, as a browser does, and answers the close frame.
    int status = -1;
    std::thread stopper([&] { status = agent.stop(SIGTERM); });
    int code = 0;
    try {
        code = client->waitForClose();
    } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
    }
    stopper.join();
    EXPECT_EQ(code, 1001);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST_F(WebSocketTransport, EveryListeningSocketOfTheAgentIsOnLoopback) {
    startAgent();
    const auto ss = firmante::testing::run({"ss", "-Hltnp"});
    ASSERT_EQ(ss.exitCode, 0) << ss.err;
    const std::string tag = "pid=" + std::to_string(agent.pid()) + ",";
    std::istringstream lines(ss.out);
    int ours = 0;
    bool sawPort = false;
    for (std::string line; std::getline(lines, line);) {
        if (line.find(tag) == std::string::npos) continue;
        ++ours;
        // State Recv-Q Send-Q Local:Port Peer:Port Process
        std::istringstream fields(line);
        std::string state, recvQ, sendQ, local;
        fields >> state >> recvQ >> sendQ >> local;
        const bool loopback = local.rfind("127.0.0.1:", 0) == 0 || local.rfind("[::1]:", 0) == 0;
        EXPECT_TRUE(loopback) << line;
        if (local.ends_with(":" + std::to_string(port))) sawPort = true;
    }
    EXPECT_GE(ours, 1) << ss.out;
    EXPECT_TRUE(sawPort) << ss.out;
}
