// The prompt program as the system sees it: its descriptors (/proc/PID/fd), whether it outlives
// the agent, zombies left behind, and how long SIGTERM takes with a prompt nobody answers.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <thread>

#include "AgentFixture.h"
#include "firmante/agent/Base64.h"
#include "firmante/testing/Eventually.h"
#include "firmante/testing/Process.h"

using namespace firmante::agent::testing;
using firmante::agent::base64Encode;
using firmante::pkcs11::KeyType;
using nlohmann::json;
namespace fs = std::filesystem;
using firmante::testing::eventually;

namespace {

// "R", "S", "Z"… from /proc/PID/stat, or "" when the process is gone.
std::string stateOf(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat)) return {};
    const auto paren = stat.rfind(')');
    return paren == std::string::npos ? std::string() : stat.substr(paren + 2, 1);
}

bool goneOrZombie(pid_t pid) {
    const auto state = stateOf(pid);
    return state.empty() || state == "Z";
}

// Every process whose parent is `parent`, with its state.
std::vector<std::pair<pid_t, std::string>> childrenOf(pid_t parent) {
    std::vector<std::pair<pid_t, std::string>> out;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const auto name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream in(entry.path() / "stat");
        std::string stat;
        if (!std::getline(in, stat)) continue;
        const auto paren = stat.rfind(')');
        if (paren == std::string::npos) continue;
        std::istringstream fields(stat.substr(paren + 2));
        std::string state;
        pid_t ppid = 0;
        fields >> state >> ppid;
        if (ppid == parent) out.emplace_back(std::stoi(name), state);
    }
    return out;
}

class AgentChildProcess : public AgentFixture {
  protected:
    AgentChildProcess() : AgentFixture("firmante-agent-child", "Agent Child") {}
    void SetUp() override {
        cert = provisionCertificate(hsm, ca, "Child Key", KeyType::EcP256, false);
    }
    // Sends documents.sign without waiting for the answer.
    void askToSign(AgentClient& c, const std::string& certUri) {
        c.sendFrame(json{{"jsonrpc", "2.0"},
                         {"id", 7},
                         {"method", "documents.sign"},
                         {"params", signParams(certUri, "contrato", "contrato.pdf")}}
                        .dump());
    }
    // The pid of the fake pinentry once it sits in the question.
    pid_t heldPrompt() {
        const fs::path held = agent.pinentryScript().string() + ".held";
        EXPECT_TRUE(eventually([&] { return fs::exists(held); })) << "no prompt was shown";
        std::ifstream in(held);
        pid_t pid = -1;
        in >> pid;
        return pid;
    }
    // Asks to sign with a fake pinentry that never answers; the prompt's pid, once it asks.
    pid_t hangingPrompt() {
        agent.script("hang\n");
        askToSign(*client, cert.uri);
        return heldPrompt();
    }

    ProvisionedCertificate cert;
};

}  // namespace

TEST_F(AgentChildProcess, PromptProgramHoldsOnlyItsOwnPipesAndDevNull) {
    startAgent();
    // A second client, so there is an accepted connection besides the one that asks.
    AgentClient other(agent.socket());
    other.hello();
    const pid_t prompt = hangingPrompt();
    ASSERT_GT(prompt, 0);
    std::vector<std::string> leaked;
    std::map<int, std::string> targets;
    for (const auto& entry : fs::directory_iterator("/proc/" + std::to_string(prompt) + "/fd")) {
        const int fd = std::stoi(entry.path().filename().string());
        std::error_code ec;
        const auto target = fs::read_symlink(entry.path(), ec).string();
        targets[fd] = target;
        if (fd > 2) leaked.push_back(std::to_string(fd) + " -> " + target);
    }
    EXPECT_TRUE(leaked.empty()) << ::testing::PrintToString(leaked);
    EXPECT_EQ(targets[0].rfind("pipe:", 0), 0u) << targets[0];
    EXPECT_EQ(targets[1].rfind("pipe:", 0), 0u) << targets[1];
    EXPECT_EQ(targets[2], "/dev/null");
    agent.stop(SIGKILL);
    EXPECT_TRUE(eventually([&] { return goneOrZombie(prompt); }));
}

TEST_F(AgentChildProcess, PromptDiesWhenTheAgentIsKilled) {
    startAgent();
    const pid_t prompt = hangingPrompt();
    ASSERT_GT(prompt, 0);
    agent.stop(SIGKILL);
    // Orphans go to the system's reaper; either way it must not be running any more.
    EXPECT_TRUE(eventually([&] { return goneOrZombie(prompt); }, std::chrono::seconds(5)))
        << "the prompt outlived the agent: state " << stateOf(prompt);
    if (!goneOrZombie(prompt)) ::kill(prompt, SIGKILL);
}

TEST_F(AgentChildProcess, SigtermWithAnUnansweredPromptStopsTheAgentWithinASecond) {
    startAgent();
    const pid_t prompt = hangingPrompt();
    ASSERT_GT(prompt, 0);
    const auto started = std::chrono::steady_clock::now();
    const int status = agent.stop(SIGTERM);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    std::cout << "[ figures  ] SIGTERM with a prompt open: stopped in " << took.count() << " ms\n";
    EXPECT_LT(took.count(), 1000);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "wait status " << status;
    EXPECT_TRUE(goneOrZombie(prompt)) << "state " << stateOf(prompt);
    if (!goneOrZombie(prompt)) ::kill(prompt, SIGKILL);
}

TEST_F(AgentChildProcess, PromptProgramsThatFailAtStartLeaveNoZombies) {
    AgentProcess failing{dir, hsm, {{"FIRMANTE_PINENTRY", "false"}}};
    firmante::testing::writeFile(failing.config().string(), "{}");
    failing.start();
    AgentClient c(failing.socket());
    c.hello();
    const auto pipesOpen = [&] {
        std::size_t pipes = 0;
        for (const auto& entry :
             fs::directory_iterator("/proc/" + std::to_string(failing.pid()) + "/fd")) {
            std::error_code ec;
            pipes += fs::read_symlink(entry.path(), ec).string().rfind("pipe:", 0) == 0;
        }
        return pipes;
    };
    const std::size_t pipesBefore = pipesOpen();
    for (int i = 0; i < 3; ++i) {
        const auto response =
            c.call("documents.sign", signParams(cert.uri, "contrato", "contrato.pdf"));
        EXPECT_EQ(reasonOf(response), "INTERNAL") << response.dump();
    }
    const auto children = childrenOf(failing.pid());
    EXPECT_TRUE(children.empty()) << children.size() << " children left, first in state "
                                  << (children.empty() ? "" : children.front().second);
    // And the pipes of those attempts were closed.
    EXPECT_EQ(pipesOpen(), pipesBefore);
}
