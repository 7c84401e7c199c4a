#include "AgentProcess.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <iostream>

#include "firmante/testing/Process.h"

extern char** environ;

namespace firmante::agent::testing {

namespace {

bool connectable(const std::filesystem::path& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

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
            {"FIRMANTE_WS_PORT", "0"}};
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
    if (pid_ > 0) stop(SIGKILL);
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
    std::vector<std::string> envStrings;
    for (char** e = environ; *e; ++e) {
        std::string s(*e);
        if (env_.count(s.substr(0, s.find('=')))) continue;
        envStrings.push_back(s);
    }
    for (auto& [k, v] : env_) envStrings.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& s : envStrings) envp.push_back(s.data());
    envp.push_back(nullptr);
    // FIRMANTE_AGENT_TEST_WRAPPER="gdb -batch -ex run -ex bt --args" runs the agent under a
    // debugger (or valgrind) when a test needs looking into.
    std::vector<std::string> words;
    if (const char* wrapper = std::getenv("FIRMANTE_AGENT_TEST_WRAPPER")) {
        std::istringstream in(wrapper);
        for (std::string w; in >> w;) words.push_back(w);
    }
    words.push_back(binary());
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    std::string program = words.front();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, stderrFile().c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, stderrFile().c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0600);
    const int rc =
        ::posix_spawnp(&pid_, program.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        pid_ = -1;
        throw std::runtime_error("cannot start firmante-agent: " + std::string(std::strerror(rc)));
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("firmante-agent exited at start: " +
                                     firmante::testing::readFile(stderrFile().string()));
        }
        if (connectable(socket())) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop(SIGKILL);
    throw std::runtime_error("firmante-agent did not listen in time");
}

int AgentProcess::stop(int signal) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    for (;;) {
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_ || r < 0) break;
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    return status;
}

std::optional<int> AgentProcess::waitForExit(std::chrono::milliseconds limit) {
    if (pid_ <= 0) return std::nullopt;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return status;
        }
        if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

long AgentProcess::rssKiB() const {
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
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
