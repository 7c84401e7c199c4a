#include "AgentProcess.h"

#include <signal.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include <iostream>

#include "firmante/testing/Process.h"

namespace firmante::agent::testing {

std::string AgentProcess::binary() {
    return FIRMANTE_AGENT_BINARY;
}
std::string AgentProcess::fakePinentry() {
    return FIRMANTE_FAKE_PINENTRY;
}

AgentProcess::AgentProcess(const firmante::testing::TempDir& dir,
                           const firmante::testing::SoftHsmToken& hsm,
                           std::map<std::string, std::string> extraEnv)
    : dir_(dir.path()), socket_(dir_ / "run" / "agent.sock") {
    env_ = {{"FIRMANTE_SOCKET", socket_.string()},
            {"FIRMANTE_CONFIG", config().string()},
            {"XDG_STATE_HOME", (dir_ / "state").string()},
            {"XDG_CONFIG_HOME", (dir_ / "xdg-config").string()},
            {"FIRMANTE_MODULE", firmante::testing::SoftHsmToken::modulePath()},
            {"SOFTHSM2_CONF", hsm.confPath().string()},
            {"FIRMANTE_PINENTRY", fakePinentry()},
            {"FAKE_PINENTRY_SCRIPT", pinentryScript().string()},
            {"FAKE_PINENTRY_LOG", pinentryLog().string()},
            // Parallel tests must not fight over the fixed default port.
            {"FIRMANTE_WS_PORT", "0"},
            // The agent's language (its prompts' text) is Spanish whatever the machine running
            // the tests is set to; a test that wants English says so.
            {"LANG", "es_MX.UTF-8"},
            {"LC_ALL", ""},
            {"LC_MESSAGES", ""}};
    for (auto& [k, v] : extraEnv) env_[k] = v;
    if (env_["FIRMANTE_SOCKET"].empty()) {
        // The agent chooses: the test's own expectation of where, independent of the code
        // under test (DESIGN: $XDG_RUNTIME_DIR/firmante, else a per-uid folder under /tmp).
        const char* inherited = std::getenv("XDG_RUNTIME_DIR");
        const std::string runtime = env_.count("XDG_RUNTIME_DIR") ? env_["XDG_RUNTIME_DIR"]
                                    : inherited                   ? inherited
                                                                  : "";
        socket_ = runtime.empty() ? std::filesystem::path("/tmp") /
                                        ("firmante-" + std::to_string(::getuid())) / "agent.sock"
                                  : std::filesystem::path(runtime) / "firmante" / "agent.sock";
    }
}

AgentProcess::~AgentProcess() {
    child_.reset();
    // What the agent said is the first thing one needs when a test over it fails.
    if (::testing::Test::HasFailure()) {
        try {
            std::cerr << "--- firmante-agent output ---\n"
                      << firmante::testing::readFile(stderrFile().string()) << "---\n";
        } catch (...) {
        }
    }
}

void AgentProcess::script(const std::string& lines) const {
    firmante::testing::writeFile(pinentryScript().string(), lines);
}

void AgentProcess::start(const std::vector<std::string>& args) {
    // FIRMANTE_AGENT_TEST_WRAPPER="gdb -batch -ex run -ex bt --args" runs the agent under a
    // debugger (or valgrind) when a test needs looking into.
    std::vector<std::string> words;
    if (const char* wrapper = std::getenv("FIRMANTE_AGENT_TEST_WRAPPER")) {
        std::istringstream in(wrapper);
        for (std::string w; in >> w;) words.push_back(w);
    }
    words.push_back(binary());
    words.insert(words.end(), args.begin(), args.end());
    child_.emplace(words, env_, stderrFile(), stderrFile());
    child_->waitUntil([&] { return firmante::testing::acceptsConnections(socket()); },
                      "firmante-agent", stderrFile());
}

int AgentProcess::stop(int signal) {
    if (!child_) return -1;
    const int status = child_->stop(signal);
    child_.reset();
    return status;
}

std::optional<int> AgentProcess::waitForExit(std::chrono::milliseconds limit) {
    if (!child_) return std::nullopt;
    auto status = child_->waitForExit(limit);
    if (status) child_.reset();
    return status;
}

long AgentProcess::rssKiB() const {
    std::ifstream status("/proc/" + std::to_string(pid()) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
}

}  // namespace firmante::agent::testing

namespace {
// Writing to an agent that closed the connection must fail the test, not kill it.
[[maybe_unused]] const bool kIgnoreSigpipe = (std::signal(SIGPIPE, SIG_IGN), true);
}  // namespace
