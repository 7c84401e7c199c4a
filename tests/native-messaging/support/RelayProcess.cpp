#include "RelayProcess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "firmante/nm/FrameCodec.h"

extern char** environ;

namespace firmante::nmtest {

namespace {

[[noreturn]] void fail(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

int remainingMs(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

}  // namespace

RelayProcess::RelayProcess(const std::string& program, const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env) {
    // The relay may exit while the test still writes (that is what some tests provoke): the
    // write must fail with EPIPE, not kill the test.
    ::signal(SIGPIPE, SIG_IGN);
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) fail("pipe2");

    // The test's environment minus the variables it sets, plus those.
    std::vector<std::string> envStrings;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string entry(*e);
        const std::string name = entry.substr(0, entry.find('='));
        if (env.find(name) == env.end()) envStrings.push_back(entry);
    }
    for (const auto& [name, value] : env) envStrings.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (auto& s : envStrings) envp.push_back(s.data());
    envp.push_back(nullptr);

    std::vector<std::string> argvStrings{program};
    argvStrings.insert(argvStrings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : argvStrings) argv.push_back(s.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    const int rc =
        ::posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
    if (rc != 0) {
        errno = rc;
        fail("posix_spawn");
    }
    pidFd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    if (pidFd_ < 0) fail("pidfd_open");
}

RelayProcess::~RelayProcess() {
    closeStdin();
    if (!exitStatus_ && !waitExit(std::chrono::milliseconds(2000))) {
        ::kill(pid_, SIGKILL);
        waitExit(std::chrono::milliseconds(2000));
    }
    if (stdout_ >= 0) ::close(stdout_);
    if (pidFd_ >= 0) ::close(pidFd_);
}

void RelayProcess::writeRaw(std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(stdin_, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("write to relay stdin");
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

void RelayProcess::writeFrame(std::string_view json) {
    writeRaw(nm::encodeFrame(json, 64u * 1024 * 1024));
}

void RelayProcess::closeStdin() {
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
}

std::optional<std::string> RelayProcess::readFrame(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (auto result = decoder_.next(); result && result->isFrame()) return result->body();
        pollfd fd{stdout_, POLLIN, 0};
        const int ready = ::poll(&fd, 1, remainingMs(deadline));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return std::nullopt;
        char buffer[65536];
        const ssize_t n = ::read(stdout_, buffer, sizeof buffer);
        if (n <= 0) return std::nullopt;
        decoder_.feed(buffer, static_cast<std::size_t>(n));
    }
}

bool RelayProcess::stdoutClosed(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (decoder_.next()) return false;
        pollfd fd{stdout_, POLLIN, 0};
        const int ready = ::poll(&fd, 1, remainingMs(deadline));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return false;
        char buffer[65536];
        const ssize_t n = ::read(stdout_, buffer, sizeof buffer);
        if (n == 0) return true;
        if (n < 0) return false;
        decoder_.feed(buffer, static_cast<std::size_t>(n));
    }
}

std::optional<int> RelayProcess::waitExit(std::chrono::milliseconds timeout) {
    if (exitStatus_) return exitStatus_;
    pollfd fd{pidFd_, POLLIN, 0};
    int ready;
    do {
        ready = ::poll(&fd, 1, static_cast<int>(timeout.count()));
    } while (ready < 0 && errno == EINTR);
    if (ready <= 0) return std::nullopt;
    int status = 0;
    if (::wait4(pid_, &status, 0, &usage_) != pid_) fail("wait4");
    exitStatus_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exitStatus_;
}

}  // namespace firmante::nmtest
