// The real firmante-agent over its Unix socket: hello, agent.info, tokens.list, one instance per
// user, socket permissions, peers of another uid, and a storm of malformed input.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "AgentFixture.h"
#include "firmante/nm/FrameCodec.h"
#include "firmante/testing/Process.h"
#include "firmante/testing/Sanitizers.h"

using firmante::agent::testing::AgentClient;
using firmante::agent::testing::AgentFixture;
using firmante::agent::testing::AgentProcess;
using nlohmann::json;

namespace {

class AgentIpc : public AgentFixture {
  protected:
    // Without ASan's quarantine: ThousandMalformedRequests… bounds the agent's memory growth,
    // and the quarantine would keep every freed 256 KiB frame resident (docs/fuzzing.md).
    AgentIpc()
        : AgentFixture("firmante-agent-test", "Agent IPC",
                       firmante::testing::sanitizerEnvironment()) {}
};

std::string reason(const json& response) {
    return response.at("error").at("data").at("reason").get<std::string>();
}

}  // namespace

TEST_F(AgentIpc, HelloIsAnsweredWithAgentAndProtocolVersion) {
    startWith(json::object());
    AgentClient client(agent.socket());
    const auto reply = client.hello();
    EXPECT_EQ(reply["id"], "hello");
    EXPECT_EQ(reply["result"]["protocolVersion"], 1);
    EXPECT_EQ(reply["result"]["agentVersion"], "0.1.0");
}

TEST_F(AgentIpc, AgentInfoReportsVersionTransportsModuleAndTokens) {
    startWith(json::object());
    AgentClient client(agent.socket());
    client.hello();
    const auto info = client.call("agent.info");
    ASSERT_TRUE(info.contains("result")) << info.dump();
    const auto& r = info["result"];
    EXPECT_EQ(r["protocolVersion"], 1);
    EXPECT_EQ(r["version"], "0.1.0");
    EXPECT_EQ(r["transports"], json({"unix", "native-messaging"}));
    EXPECT_EQ(r["module"], firmante::testing::SoftHsmToken::modulePath());
    ASSERT_EQ(r["tokens"].size(), 1u);
    EXPECT_EQ(r["tokens"][0]["label"], "Agent IPC");
}

TEST_F(AgentIpc, TokensListShowsEveryTokenWithItsPinFlags) {
    hsm.addToken("Second Token");
    startWith(json::object());
    AgentClient client(agent.socket());
    client.hello();
    const auto list = client.call("tokens.list");
    ASSERT_TRUE(list.contains("result")) << list.dump();
    const auto& tokens = list["result"]["tokens"];
    ASSERT_EQ(tokens.size(), 2u);
    for (const auto& t : tokens) {
        EXPECT_EQ(t["manufacturer"], "SoftHSM project");
        EXPECT_TRUE(t["uri"].get<std::string>().starts_with("pkcs11:token="));
        EXPECT_EQ(t["pinLocked"], false);
        EXPECT_EQ(t["pinpad"], false);
        EXPECT_TRUE(t.contains("pinCountLow"));
        EXPECT_TRUE(t.contains("pinFinalTry"));
        EXPECT_FALSE(t["serial"].get<std::string>().empty());
    }
}

TEST_F(AgentIpc, RequestsBeforeTheHelloAreRefusedAndTheConnectionStaysUsable) {
    startWith(json::object());
    AgentClient client(agent.socket());
    client.sendFrame(R"({"jsonrpc":"2.0","id":1,"method":"agent.info"})");
    const auto refused = client.read(std::chrono::seconds(10));
    ASSERT_TRUE(refused);
    EXPECT_EQ(reason(*refused), "INVALID_REQUEST");
    EXPECT_EQ(client.hello()["result"]["protocolVersion"], 1);
}

TEST_F(AgentIpc, SecondAgentForTheSameUserRefusesToStart) {
    startWith(json::object());
    const auto second = firmante::testing::run({AgentProcess::binary()}, {}, agent.environment());
    EXPECT_NE(second.exitCode, 0);
    EXPECT_NE(second.err.find("ya hay un agente"), std::string::npos) << second.err;
    EXPECT_NE(second.err.find("already running"), std::string::npos) << second.err;
    // The first one is untouched.
    AgentClient client(agent.socket());
    EXPECT_EQ(client.hello()["result"]["protocolVersion"], 1);
}

TEST_F(AgentIpc, StaleSocketOfAKilledAgentIsReplaced) {
    startWith(json::object());
    agent.stop(SIGKILL);
    ASSERT_TRUE(std::filesystem::exists(agent.socket()));  // left behind by the crash
    agent.start();
    AgentClient client(agent.socket());
    EXPECT_EQ(client.hello()["result"]["protocolVersion"], 1);
}

TEST_F(AgentIpc, SocketIsOwnerOnlyInsideAPrivateFolder) {
    startWith(json::object());
    struct stat st {};
    ASSERT_EQ(::stat(agent.socket().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat(agent.socket().parent_path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(AgentIpc, PeerOfAnotherUidIsDisconnectedWithoutAnAnswer) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "needs root to connect as another uid; "
                        "OriginRules.PeerOfAnotherUidOrUnknownIsRefused "
                        "covers the rule";
    }
    startWith(json::object());
    // Open the path up so that only SO_PEERCRED stands between the other uid and the agent.
    ::chmod(dir.path().c_str(), 0755);
    ::chmod(agent.socket().parent_path().c_str(), 0755);
    ::chmod(agent.socket().c_str(), 0666);
    const pid_t child = ::fork();
    if (child == 0) {
        if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
        std::unique_ptr<AgentClient> client;
        try {
            client = std::make_unique<AgentClient>(agent.socket());
        } catch (...) {
            ::_exit(2);
        }
        try {
            client->sendFrame(
                R"({"jsonrpc":"2.0","id":"hello","method":"transport.hello","params":{"transport":"cli","protocolVersion":1}})");
        } catch (...) {
            ::_exit(0);  // the agent hung up before our hello was even written: refused
        }
        ::_exit(client->closedByPeer(std::chrono::seconds(10)) ? 0 : 1);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: answered, 2: could not connect, 3: setuid failed";
    // Our own uid still gets in.
    AgentClient client(agent.socket());
    EXPECT_EQ(client.hello()["result"]["protocolVersion"], 1);
    const auto log = firmante::testing::readFile((agent.stateDir() / "agent.log").string());
    EXPECT_NE(log.find("refused a client of another user (uid 65534)"), std::string::npos) << log;
}

TEST_F(AgentIpc, ThousandMalformedRequestsEachGetTheirErrorWithoutGrowingMemory) {
    constexpr std::size_t kFrameLimit = 256 * 1024;
    startWith(json{{"limits", {{"maxFrameBytes", kFrameLimit}}}});
    AgentClient client(agent.socket());
    client.hello();

    const std::string deep = std::string(10000, '[') + std::string(10000, ']');
    const std::string hugeName(1000, 'x');
    struct Case {
        std::string body;  // empty: an oversized frame
        std::string reason;
    };
    const std::vector<Case> cases = {
        {R"({"jsonrpc":"2.0","id":1,"method":)", "PARSE_ERROR"},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"agent.info\",\"x\":\"\xff\xfe\"}",
         "PARSE_ERROR"},
        {deep, "TOO_LARGE"},
        {R"([1,2,3])", "INVALID_REQUEST"},
        {R"({"jsonrpc":"1.0","id":1,"method":"agent.info"})", "INVALID_REQUEST"},
        {R"({"jsonrpc":"2.0","method":"agent.info"})", "INVALID_REQUEST"},
        {R"({"jsonrpc":"2.0","id":{"a":1},"method":"agent.info"})", "INVALID_REQUEST"},
        {R"({"jsonrpc":"2.0","id":1,"method":42})", "INVALID_REQUEST"},
        {R"({"jsonrpc":"2.0","id":1,"method":"no.such.method"})", "METHOD_NOT_FOUND"},
        {R"({"jsonrpc":"2.0","id":1,"method":"tokens.list","params":[1]})", "INVALID_PARAMS"},
        {R"({"jsonrpc":"2.0","id":1,"method":"auth.sign_challenge","params":{"certificate":7,"nonce":"AAAA"}})",
         "INVALID_PARAMS"},
        {R"({"jsonrpc":"2.0","id":1,"method":"auth.sign_challenge","params":{"certificate":"pkcs11:id=%01","nonce":"not base64!"}})",
         "INVALID_PARAMS"},
        {R"({"jsonrpc":"2.0","id":1,"method":"auth.sign_challenge","params":{"certificate":"https://x","nonce":"AAAAAAAAAAAAAAAAAAAAAA=="}})",
         "INVALID_PARAMS"},
        {R"({"jsonrpc":"2.0","id":1,"method":"documents.sign","params":{"certificate":"pkcs11:id=%01","document":"QQ==","fileName":")" +
             hugeName + R"("}})",
         "TOO_LARGE"},
        {R"({"jsonrpc":"2.0","id":1,"method":"documents.sign","params":{"certificate":"pkcs11:id=%01","document":"QQ==","fileName":"a.pdf","pin":"123456"}})",
         "INVALID_PARAMS"},
        {R"({"jsonrpc":"2.0","id":1,"method":"tokens.list","params":{"extra":true}})",
         "INVALID_PARAMS"},
        {"", "TOO_LARGE"},
    };
    const std::string oversized(kFrameLimit + 1, 'a');

    long rssAt100 = 0;
    for (int i = 1; i <= 1000; ++i) {
        const auto& c = cases[i % cases.size()];
        client.sendFrame(c.body.empty() ? oversized : c.body);
        const auto response = client.read(std::chrono::seconds(10));
        ASSERT_TRUE(response) << "no answer to case " << i % cases.size();
        ASSERT_TRUE(response->contains("error")) << response->dump();
        ASSERT_EQ(reason(*response), c.reason)
            << "case " << i % cases.size() << ": " << response->dump();
        ASSERT_TRUE((*response)["error"]["code"].is_number_integer());
        if (i == 100) rssAt100 = agent.rssKiB();
    }
    const long rssAt1000 = agent.rssKiB();
    EXPECT_GT(rssAt100, 0);
    EXPECT_LT(rssAt1000 - rssAt100, 4 * 1024)
        << "RSS grew from " << rssAt100 << " KiB to " << rssAt1000 << " KiB";
    // Still up, and the same connection still answers properly.
    const auto info = client.call("agent.info");
    EXPECT_EQ(info["result"]["protocolVersion"], 1);
    // The PIN value of the smuggled request was never written to the log.
    const auto log = firmante::testing::readFile((agent.stateDir() / "agent.log").string());
    EXPECT_EQ(log.find("123456"), std::string::npos);
    EXPECT_NE(log.find("[req "), std::string::npos);
}

TEST_F(AgentIpc, FrameAnnouncingFourGigabytesIsRefusedBeforeAllocation) {
    startWith(json::object());
    AgentClient client(agent.socket());
    client.hello();
    const long before = agent.rssKiB();
    client.sendRaw(firmante::nm::encodeFrameHeader(0xFFFFFFFFu));
    const auto response = client.read(std::chrono::seconds(10));
    ASSERT_TRUE(response);
    EXPECT_EQ(reason(*response), "TOO_LARGE");
    EXPECT_LT(agent.rssKiB() - before, 1024);
    // The agent is still there for everyone else.
    AgentClient other(agent.socket());
    EXPECT_EQ(other.hello()["result"]["protocolVersion"], 1);
}
