#include "PortalProcess.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "firmante/testing/Process.h"

extern char** environ;

namespace firmante::renew::testing {

PortalProcess::PortalProcess(std::filesystem::path stateDir) : stateDir_(std::move(stateDir)) {}

PortalProcess::~PortalProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void PortalProcess::start() {
    std::filesystem::create_directories(stateDir_);
    const auto out = (stateDir_.parent_path() / "portal.out").string();
    const auto err = (stateDir_.parent_path() / "portal.err").string();
    std::string program = binary();
    std::string state = stateDir_.string();
    std::vector<std::string> words{program, "serve", "--state-dir", state, "--port", "0"};
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int rc = ::posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        pid_ = -1;
        throw std::runtime_error("cannot start firmante-portal: " + std::string(std::strerror(rc)));
    }
    // The first stdout line is the URL; poll for it with a deadline.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("firmante-portal exited: " + firmante::testing::readFile(err));
        }
        std::ifstream in(out);
        std::string line;
        if (std::getline(in, line) && !in.eof() && line.rfind("http://", 0) == 0) {
            url_ = line;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("firmante-portal printed no URL: " + firmante::testing::readFile(err));
}

}  // namespace firmante::renew::testing
