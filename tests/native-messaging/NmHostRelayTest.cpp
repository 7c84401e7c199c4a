// End-to-end tests of firmante-nmhost, started as a browser starts it, against a fake agent.

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "firmante/nm/FrameCodec.h"
#include "firmante/testing/FakeAgent.h"
#include "firmante/testing/Sanitizers.h"
#include "firmante/testing/TempDir.h"
#include "support/RelayProcess.h"

using namespace std::chrono_literals;
using firmante::nmtest::RelayProcess;
using firmante::testing::FakeAgent;
using firmante::testing::TempDir;
using nlohmann::json;

namespace {

constexpr const char* kExtensionId = "booeiannpdjccdhgcnoncmlkejjkanao";
constexpr auto kTimeout = 10s;

std::string chromeOrigin(const std::string& id) {
    return "chrome-extension://" + id + "/";
}

class NativeMessagingRelay : public ::testing::Test {
  protected:
    std::map<std::string, std::string> env() const {
        return {{"FIRMANTE_SOCKET", socketPath()},
                {"FIRMANTE_EXTENSION_ID", kExtensionId},
                // A relay that wrongly tries to start an agent fails loudly instead.
                {"FIRMANTE_AGENT", "/nonexistent/firmante-agent"}};
    }
    std::string socketPath() const { return (dir_.path() / "agent.sock").string(); }

    std::unique_ptr<RelayProcess> startRelay(std::vector<std::string> args = {},
                                             std::map<std::string, std::string> extraEnv = {}) {
        if (args.empty()) args = {chromeOrigin(kExtensionId)};
        auto environment = env();
        for (auto& [k, v] : extraEnv) environment[k] = v;
        return std::make_unique<RelayProcess>(FIRMANTE_NMHOST_PATH, args, environment);
    }

    TempDir dir_{"fnm", "/tmp"};  // short: the agent socket is bound inside
};

class NativeMessagingRelayWithAgent : public NativeMessagingRelay {
  protected:
    void SetUp() override {
        agent_ = std::make_unique<FakeAgent>(socketPath());
        agent_->start();
    }
    std::unique_ptr<FakeAgent> agent_;
};

// Alive and not a zombie: the detached agent is re-parented to whatever reaps orphans here,
// which may take its time, so a finished process is recognised by its state.
bool processRunning(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    const auto close = line.rfind(')');
    if (close == std::string::npos || close + 2 >= line.size()) return false;
    const char state = line[close + 2];
    return state != 'Z' && state != 'X';
}

json parse(const std::optional<std::string>& frame) {
    EXPECT_TRUE(frame.has_value()) << "no frame from the relay";
    return frame ? json::parse(*frame) : json();
}

}  // namespace

TEST_F(NativeMessagingRelayWithAgent, SendsTheHelloWithTransportExtensionIdAndBrowserFirst) {
    auto relay = startRelay();
    ASSERT_TRUE(agent_->waitForReceived(1, kTimeout));
    const json hello = json::parse(agent_->received().at(0));
    EXPECT_EQ(hello["jsonrpc"], "2.0");
    EXPECT_EQ(hello["id"], "hello");
    EXPECT_EQ(hello["method"], "transport.hello");
    EXPECT_EQ(hello["params"]["transport"], "native-messaging");
    EXPECT_EQ(hello["params"]["extensionId"], kExtensionId);
    EXPECT_EQ(hello["params"]["browser"], "chromium");
    EXPECT_EQ(hello["params"]["protocolVersion"], 1);
    EXPECT_EQ(hello["params"]["client"].get<std::string>().rfind("firmante-nmhost/", 0), 0u);
}

TEST_F(NativeMessagingRelayWithAgent, RelaysARequestAndReturnsTheResponseUnchanged) {
    auto relay = startRelay();
    // Odd spacing and the extension's top-level "origin" member must reach the agent as is.
    const std::string request =
        R"({"jsonrpc":"2.0", "id":7,"method":"agent.info","params":{"x":"ñ"},"origin":"http://127.0.0.1:8080"})";
    relay->writeFrame(request);
    const auto response = relay->readFrame(kTimeout);
    ASSERT_TRUE(response.has_value());
    // The hello reply was consumed by the relay: the first frame is the answer to request 7.
    const auto received = agent_->received();
    ASSERT_EQ(received.size(), 2u);
    EXPECT_EQ(received[1], request);
    const auto sent = agent_->sent();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(*response, sent[1]);
    EXPECT_EQ(json::parse(*response)["id"], 7);
}

TEST_F(NativeMessagingRelayWithAgent, ForwardsAnAgentNotificationToTheBrowser) {
    auto relay = startRelay();
    relay->writeFrame(R"({"jsonrpc":"2.0","id":1,"method":"test.notify"})");
    const json notification = parse(relay->readFrame(kTimeout));
    EXPECT_EQ(notification["method"], "tokens.changed");
    EXPECT_FALSE(notification.contains("id"));
    const json result = parse(relay->readFrame(kTimeout));
    EXPECT_EQ(result["id"], 1);
    EXPECT_EQ(result["result"], true);
}

TEST_F(NativeMessagingRelayWithAgent, ReplacesAnOversizedAgentResponseWithTooLargeAndCarriesOn) {
    auto relay = startRelay();
    relay->writeFrame(R"({"jsonrpc":"2.0","id":42,"method":"test.oversized"})");
    const auto frame = relay->readFrame(kTimeout);
    ASSERT_TRUE(frame.has_value());
    EXPECT_LE(frame->size(), 1024u * 1024u);
    const json error = json::parse(*frame);
    EXPECT_EQ(error["id"], 42);
    EXPECT_EQ(error["error"]["code"], -32000);
    EXPECT_EQ(error["error"]["data"]["reason"], "TOO_LARGE");
    EXPECT_NE(error["error"]["message"].get<std::string>().find("1 MiB"), std::string::npos);
    EXPECT_GT(error["error"]["data"]["size"].get<std::size_t>(), 1024u * 1024u);

    // A response of exactly the browser's limit still goes through untouched.
    const std::size_t envelope = std::string(R"({"id":43,"jsonrpc":"2.0","result":""})").size();
    relay->writeFrame(json{{"jsonrpc", "2.0"},
                           {"id", 43},
                           {"method", "test.oversized"},
                           {"params", {{"size", 1024u * 1024u - envelope}}}}
                          .dump());
    const auto atLimit = relay->readFrame(kTimeout);
    ASSERT_TRUE(atLimit.has_value());
    EXPECT_EQ(atLimit->size(), 1024u * 1024u);
    EXPECT_EQ(*atLimit, agent_->sent().back());
}

TEST_F(NativeMessagingRelayWithAgent, RefusesABrowserFrameClaimingTheMaximalLengthAndExits) {
    auto relay = startRelay();
    relay->writeRaw(firmante::nm::encodeFrameHeader(0xFFFFFFFFu));
    const json error = parse(relay->readFrame(kTimeout));
    EXPECT_TRUE(error["id"].is_null());
    EXPECT_EQ(error["error"]["data"]["reason"], "TOO_LARGE");
    EXPECT_EQ(relay->waitExit(kTimeout), 1);
    EXPECT_EQ(agent_->received().size(), 1u) << "only the hello may reach the agent";
}

TEST_F(NativeMessagingRelayWithAgent, RefusesAWrongExtensionIdWithoutContactingTheAgent) {
    auto relay = startRelay({chromeOrigin("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")});
    const auto exitCode = relay->waitExit(kTimeout);
    ASSERT_TRUE(exitCode.has_value());
    EXPECT_NE(*exitCode, 0);
    const json error = parse(relay->readFrame(1s));
    EXPECT_EQ(error["error"]["data"]["reason"], "ORIGIN_NOT_ALLOWED");
    EXPECT_EQ(agent_->connections(), 0);
    EXPECT_TRUE(agent_->received().empty());
}

TEST_F(NativeMessagingRelayWithAgent, RefusesMalformedCallerArguments) {
    auto relay = startRelay({"chrome-extension://not-an-id/"});
    const auto exitCode = relay->waitExit(kTimeout);
    ASSERT_TRUE(exitCode.has_value());
    EXPECT_NE(*exitCode, 0);
    EXPECT_EQ(agent_->connections(), 0);
}

TEST_F(NativeMessagingRelayWithAgent, AcceptsTheAllowedFirefoxAddOn) {
    auto relay = startRelay({"/home/user/.mozilla/native-messaging-hosts/org.firmante.agent.json",
                             "firmante@firmante.org"});
    relay->writeFrame(R"({"jsonrpc":"2.0","id":"a","method":"agent.info"})");
    ASSERT_TRUE(relay->readFrame(kTimeout).has_value());
    const json hello = json::parse(agent_->received().at(0));
    EXPECT_EQ(hello["params"]["browser"], "firefox");
    EXPECT_EQ(hello["params"]["extensionId"], "firmante@firmante.org");
}

TEST_F(NativeMessagingRelayWithAgent, ExitsWithZeroWhenTheBrowserClosesStdin) {
    auto relay = startRelay();
    ASSERT_TRUE(agent_->waitForReceived(1, kTimeout));
    relay->closeStdin();
    EXPECT_EQ(relay->waitExit(kTimeout), 0);
    EXPECT_TRUE(relay->stdoutClosed(kTimeout));
}

TEST_F(NativeMessagingRelayWithAgent, ReportsAgentNotRunningWhenTheAgentGoesAway) {
    auto relay = startRelay();
    relay->writeFrame(R"({"jsonrpc":"2.0","id":1,"method":"agent.info"})");
    ASSERT_TRUE(relay->readFrame(kTimeout).has_value());
    agent_.reset();  // closes the connection
    const json error = parse(relay->readFrame(kTimeout));
    EXPECT_TRUE(error["id"].is_null()) << "request 1 was answered: nothing is owed for it";
    EXPECT_EQ(error["error"]["data"]["reason"], "AGENT_NOT_RUNNING");
    EXPECT_EQ(relay->waitExit(kTimeout), 1);
}

// Issue 14: a page waiting on a PIN prompt when the agent goes away gets its answer at once.
TEST_F(NativeMessagingRelayWithAgent, AnswersEveryWaitingRequestWithItsOwnIdWhenTheAgentGoesAway) {
    auto relay = startRelay();
    relay->writeFrame(R"({"jsonrpc":"2.0","id":7,"method":"test.hold"})");
    relay->writeFrame(R"({"jsonrpc":"2.0","id":"b\u0041","method":"test.hold"})");
    relay->writeFrame(R"({"jsonrpc":"2.0","id":8,"method":"test.echo","params":[1]})");
    EXPECT_EQ(parse(relay->readFrame(kTimeout))["id"], 8);
    ASSERT_TRUE(agent_->waitForReceived(4, kTimeout));
    agent_.reset();
    std::set<json> answered;
    for (int i = 0; i < 2; ++i) {
        const json error = parse(relay->readFrame(kTimeout));
        EXPECT_EQ(error["error"]["data"]["reason"], "AGENT_NOT_RUNNING") << error.dump();
        answered.insert(error["id"]);
    }
    EXPECT_EQ(answered, (std::set<json>{json(7), json("bA")}));
    const json last = parse(relay->readFrame(kTimeout));
    EXPECT_TRUE(last["id"].is_null()) << "request 8 was answered already: " << last.dump();
    EXPECT_EQ(relay->waitExit(kTimeout), 1);
}

TEST_F(NativeMessagingRelayWithAgent, PeakMemoryStaysNearTheLimitNotTheClaimedLength) {
    auto relay = startRelay();
    // A request of exactly the 16 MiB limit is relayed (its echo is too big for the browser)…
    const std::size_t limit = 16u * 1024 * 1024;
    const std::string prefix = R"({"jsonrpc":"2.0","id":5,"method":"test.echo","params":{"pad":")";
    const std::string suffix = R"("}})";
    const std::string request =
        prefix + std::string(limit - prefix.size() - suffix.size(), 'p') + suffix;
    ASSERT_EQ(request.size(), limit);
    relay->writeFrame(request);
    const json replaced = parse(relay->readFrame(kTimeout));
    EXPECT_EQ(replaced["error"]["data"]["reason"], "TOO_LARGE");
    ASSERT_TRUE(agent_->waitForReceived(2, kTimeout));
    EXPECT_EQ(agent_->received()[1].size(), limit);
    // …then a frame claiming 4 GiB is refused without being read.
    relay->writeRaw(firmante::nm::encodeFrameHeader(0xFFFFFFFFu) + std::string(4096, 'z'));
    const json refused = parse(relay->readFrame(kTimeout));
    EXPECT_EQ(refused["error"]["data"]["reason"], "TOO_LARGE");
    ASSERT_EQ(relay->waitExit(kTimeout), 1);

    const long maxRssKiB = relay->usage().ru_maxrss;
    RecordProperty("relayMaxRssKiB", static_cast<int>(maxRssKiB));
    // The relay holds one browser frame of at most the limit and at most 1 MiB from the agent,
    // plus the process itself: near 16 MiB, far below the 4 GiB the header claimed.
    // AddressSanitizer's shadow memory and quarantine (freed buffers stay resident) inflate
    // what a process holds several times over; the bound is still 32 times below the claim.
    constexpr long kBoundKiB = (firmante::testing::kAddressSanitizer ? 8 : 2) * 16 * 1024;
    EXPECT_GT(maxRssKiB, 16 * 1024) << "the 16 MiB frame was not held: did the test run?";
    EXPECT_LT(maxRssKiB, kBoundKiB);
}

TEST_F(NativeMessagingRelay, StartsTheAgentWhenNoneListensAndRelaysThroughIt) {
    const std::string socket = (dir_.path() / "run" / "agent.sock").string();
    auto relay =
        startRelay({}, {{"FIRMANTE_SOCKET", socket}, {"FIRMANTE_AGENT", FIRMANTE_FAKE_AGENT_PATH}});
    relay->writeFrame(R"({"jsonrpc":"2.0","id":3,"method":"test.echo","params":[1,2]})");
    const json response = parse(relay->readFrame(kTimeout));
    EXPECT_EQ(response["id"], 3);
    EXPECT_EQ(response["result"], json::array({1, 2}));

    // The agent runs detached; it leaves when its last client (this relay) goes.
    std::ifstream pidFile(socket + ".pid");
    pid_t agentPid = 0;
    ASSERT_TRUE(pidFile >> agentPid);
    relay->closeStdin();
    EXPECT_EQ(relay->waitExit(kTimeout), 0);
    const auto deadline = std::chrono::steady_clock::now() + kTimeout;
    while (processRunning(agentPid) && std::chrono::steady_clock::now() < deadline) {
        ::poll(nullptr, 0, 10);
    }
    if (processRunning(agentPid)) {
        ::kill(agentPid, SIGTERM);
        ADD_FAILURE() << "the fake agent did not leave after the relay closed";
    }
}

// The host runs (so it is installed) but no agent does: a page tells "start it" from "install it".
// Issue 14: the agent dies during a PIN prompt while the prompt's process still holds the
// connection open (no end of stream): the relay watches the process and answers within seconds.
TEST_F(NativeMessagingRelay, AnswersWaitingRequestsWhenTheAgentProcessDiesButItsSocketStaysOpen) {
    const std::string socket = (dir_.path() / "run" / "agent.sock").string();
    auto relay =
        startRelay({}, {{"FIRMANTE_SOCKET", socket}, {"FIRMANTE_AGENT", FIRMANTE_FAKE_AGENT_PATH}});
    relay->writeFrame(R"({"jsonrpc":"2.0","id":11,"method":"test.echo","params":[]})");
    EXPECT_EQ(parse(relay->readFrame(kTimeout))["id"], 11);
    relay->writeFrame(R"({"jsonrpc":"2.0","id":12,"method":"test.hold"})");
    const auto died = std::chrono::steady_clock::now();
    relay->writeFrame(R"({"jsonrpc":"2.0","id":13,"method":"test.die_holding"})");
    std::set<json> answered;
    for (int i = 0; i < 2; ++i) {
        const json error = parse(relay->readFrame(kTimeout));
        EXPECT_EQ(error["error"]["data"]["reason"], "AGENT_NOT_RUNNING") << error.dump();
        answered.insert(error["id"]);
    }
    const auto took = std::chrono::steady_clock::now() - died;
    EXPECT_EQ(answered, (std::set<json>{json(12), json(13)}));
    EXPECT_LT(took, 5s);
    RecordProperty(
        "answeredAfterAgentDeathMs",
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
    EXPECT_EQ(relay->waitExit(kTimeout), 1);

    std::ifstream holderFile(socket + ".holder.pid");
    pid_t holder = 0;
    ASSERT_TRUE(holderFile >> holder) << "the fake agent left no child holding the socket";
    ::kill(holder, SIGTERM);
}

TEST_F(NativeMessagingRelay, ReportsAgentNotRunningWhenTheAgentCannotBeStarted) {
    auto relay = startRelay();  // FIRMANTE_AGENT points nowhere
    const json error = parse(relay->readFrame(kTimeout));
    EXPECT_TRUE(error["id"].is_null());
    EXPECT_EQ(error["error"]["data"]["reason"], "AGENT_NOT_RUNNING");
    EXPECT_EQ(relay->waitExit(kTimeout), 1);
}

// Started but never listening is, to the person, an agent that is not running (not "try again").
TEST_F(NativeMessagingRelay, ReportsAgentNotRunningWhenTheStartedAgentNeverListens) {
    auto relay = startRelay(
        {}, {{"FIRMANTE_AGENT", "/bin/true"}, {"FIRMANTE_AGENT_START_TIMEOUT_MS", "300"}});
    const json error = parse(relay->readFrame(kTimeout));
    EXPECT_EQ(error["error"]["data"]["reason"], "AGENT_NOT_RUNNING");
    EXPECT_EQ(relay->waitExit(kTimeout), 1);
}

TEST_F(NativeMessagingRelayWithAgent, TrustsOnlyTheBuildTimeExtensionIdWhenTheEnvironmentAddsNone) {
    const std::string buildId = FIRMANTE_CONFIGURED_EXTENSION_ID;
    auto environment = env();
    environment.erase("FIRMANTE_EXTENSION_ID");
    // The variable must be absent, not empty: RelayProcess only overrides what it is given.
    ::unsetenv("FIRMANTE_EXTENSION_ID");
    if (buildId.empty()) {
        // No id known at build time: every Chromium extension is refused (fail closed).
        RelayProcess relay(FIRMANTE_NMHOST_PATH, {chromeOrigin(kExtensionId)}, environment);
        const auto exitCode = relay.waitExit(kTimeout);
        ASSERT_TRUE(exitCode.has_value());
        EXPECT_NE(*exitCode, 0);
        EXPECT_EQ(agent_->connections(), 0);
    } else {
        RelayProcess relay(FIRMANTE_NMHOST_PATH, {chromeOrigin(buildId)}, environment);
        relay.writeFrame(R"({"jsonrpc":"2.0","id":1,"method":"agent.info"})");
        EXPECT_TRUE(relay.readFrame(kTimeout).has_value());
        const json hello = json::parse(agent_->received().at(0));
        EXPECT_EQ(hello["params"]["extensionId"], buildId);
        RelayProcess other(FIRMANTE_NMHOST_PATH, {chromeOrigin(kExtensionId)}, environment);
        const auto exitCode = other.waitExit(kTimeout);
        ASSERT_TRUE(exitCode.has_value());
        EXPECT_NE(*exitCode, 0);
    }
}

TEST_F(NativeMessagingRelayWithAgent, TakesTheBrowserFrameLimitFromTheAgentsConfig) {
    const auto config = (dir_.path() / "config.json").string();
    std::ofstream(config) << R"({"limits":{"maxFrameBytes":1024}})";
    const std::string padding(700, 'x');
    const std::string small =
        R"({"jsonrpc":"2.0","id":1,"method":"agent.info","params":{"p":")" + padding + R"("}})";
    auto relay = startRelay({}, {{"FIRMANTE_CONFIG", config}});
    relay->writeFrame(small);
    EXPECT_EQ(parse(relay->readFrame(kTimeout))["id"], 1) << "below the configured limit";

    const std::string big = R"({"jsonrpc":"2.0","id":2,"method":"agent.info","params":{"p":")" +
                            std::string(2000, 'x') + R"("}})";
    relay->writeFrame(big);
    const json error = parse(relay->readFrame(kTimeout));
    EXPECT_EQ(error["error"]["data"]["reason"], "TOO_LARGE") << error.dump();
    EXPECT_EQ(relay->waitExit(kTimeout), 1);
    EXPECT_EQ(agent_->received().size(), 2u) << "the hello and the small request only";
}
