// The Unix socket's bounds measured from outside: a connection cap, an idle timeout, memory
// (VmRSS) after thousands of CLI connections, and what a flood of bad requests does to the log.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "AgentFixture.h"
#include "firmante/agent/Base64.h"
#include "firmante/agent/Logging.h"
#include "firmante/testing/Process.h"
#include "firmante/testing/Sanitizers.h"

using namespace firmante::agent::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using firmante::testing::sanitizerEnvironment;

class AgentUnixLimits : public AgentFixture {
  protected:
    AgentUnixLimits()
        : AgentFixture("firmante-agent-limits", "Agent Limits", sanitizerEnvironment()) {}
    std::size_t logLinesWith(const std::string& needle) const {
        std::ifstream in(agent.stateDir() / "agent.log");
        std::size_t n = 0;
        for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
        return n;
    }
};

}  // namespace

TEST_F(AgentUnixLimits, ConnectionPastTheCapIsToldBusyAndClosedAndAClosedOneFreesItsSlot) {
    startWith({{"limits", {{"maxUnixConnections", 4}}}});
    std::vector<std::unique_ptr<AgentClient>> clients;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(std::make_unique<AgentClient>(agent.socket()));
        ASSERT_TRUE(clients.back()->hello().contains("result"));
    }
    AgentClient extra(agent.socket());
    const auto refused = extra.read(std::chrono::seconds(5));
    ASSERT_TRUE(refused) << "no answer past the cap";
    EXPECT_EQ(reasonOf(*refused), "BUSY") << refused->dump();
    EXPECT_TRUE(extra.closedByPeer(std::chrono::seconds(5)));

    // The first four still work; closing one lets a new client in.
    EXPECT_TRUE(clients[3]->call("agent.info").contains("result"));
    clients.pop_back();
    bool admitted = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!admitted && std::chrono::steady_clock::now() < deadline) {
        // The agent sees the close asynchronously: a client refused meanwhile just tries again.
        AgentClient next(agent.socket());
        try {
            admitted = next.hello().contains("result");
        } catch (const std::exception&) {
        }
    }
    EXPECT_TRUE(admitted);
}

TEST_F(AgentUnixLimits, IdleClientIsClosedButOneWaitingForItsAnswerIsNot) {
    startWith({{"limits", {{"unixIdleTimeoutSeconds", 1}}}});
    AgentClient silent(agent.socket());  // never even says hello
    AgentClient idle(agent.socket());
    idle.hello();
    const auto started = std::chrono::steady_clock::now();
    EXPECT_TRUE(silent.closedByPeer(std::chrono::seconds(5)));
    EXPECT_TRUE(idle.closedByPeer(std::chrono::seconds(5)));
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_GE(took, std::chrono::milliseconds(900));

    // A client that keeps talking stays, however long it has been connected in all.
    AgentClient busy(agent.socket());
    busy.hello();
    for (int i = 0; i < 4; ++i) {
        EXPECT_FALSE(busy.closedByPeer(std::chrono::milliseconds(600)));
        EXPECT_TRUE(busy.call("agent.info").contains("result"));
    }
}

TEST_F(AgentUnixLimits, MemoryComesBackAfterThreeThousandCliConnections) {
    startWith(json::object());
    auto connectOnce = [&] {
        AgentClient c(agent.socket());
        ASSERT_TRUE(c.hello().contains("result"));
    };
    for (int i = 0; i < 100; ++i) connectOnce();
    const long before = agent.rssKiB();
    for (int i = 0; i < 3000; ++i) connectOnce();
    // The last closes may still be in flight: one more round trip orders after them.
    AgentClient last(agent.socket());
    last.hello();
    last.call("agent.info");
    const long after = agent.rssKiB();
    std::cout << "[ figures  ] VmRSS before 3,000 connections " << before << " KiB, after " << after
              << " KiB\n";
    ASSERT_GT(before, 0);
    EXPECT_LT(after - before, 8 * 1024) << "RSS grew from " << before << " to " << after;
}

TEST_F(AgentUnixLimits, AThousandIdenticalMistakesWriteAFewLogLinesAndASummary) {
    startWith(json::object());
    AgentClient client(agent.socket());
    client.hello();
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 1000; ++i) {
        client.sendFrame(R"({"jsonrpc":"2.0","id":)" + std::to_string(i) + R"(,"method":42})");
        const auto response = client.read(std::chrono::seconds(10));
        ASSERT_TRUE(response);
        ASSERT_EQ(reasonOf(*response), "INVALID_REQUEST") << response->dump();
    }
    // Every request was answered; the log holds a few of them: at most the agent's lines per
    // window for each window the run touched (one on a quiet machine; a loaded one takes longer
    // than a window, which must not read as a broken limit).
    const firmante::agent::LogFileLimits limits;
    const auto elapsed = std::chrono::steady_clock::now() - start;
    const auto windows = static_cast<std::size_t>(elapsed / limits.window) + 1;
    const auto refused = logLinesWith("refused: INVALID_REQUEST");
    std::cout << "[ figures  ] 1,000 identical bad requests wrote " << refused << " log lines in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms\n";
    EXPECT_GE(refused, 1u);
    EXPECT_LE(refused, limits.repeatsPerWindow * windows) << windows << " windows";
    agent.stop();
    EXPECT_GE(logLinesWith("more lines like this were not written"), 1u);
}
