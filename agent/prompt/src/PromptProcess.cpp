#include "PromptProcess.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <mutex>
#include <set>

#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Secret.h"

extern char** environ;

namespace firmante::prompt {

namespace {

std::mutex registryMutex;
std::set<pid_t> running;  // started and not yet reaped: their pids cannot be reused
bool aborted = false;

// Between fork() and exec only async-signal-safe calls: no allocation, no locks.
[[noreturn]] void runChild(const char* path, char* const argv[], pid_t parent, int stdinFd,
                           int stdoutFd) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The parent may have died before prctl: then nobody would ever kill us.
    if (::getppid() != parent) ::_exit(127);
    // Above 2 first: with stdin closed in the agent a pipe end may itself be 0 or 1.
    const int in = ::fcntl(stdinFd, F_DUPFD, 3);
    const int out = ::fcntl(stdoutFd, F_DUPFD, 3);
    if (in < 0 || out < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0) ::_exit(127);
    const int devNull = ::open("/dev/null", O_WRONLY);
    if (devNull < 0 || ::dup2(devNull, 2) < 0) ::_exit(127);
    // Listening sockets, clients, the log file, the token library's files: none are the
    // prompt's business, close-on-exec or not.
    if (::syscall(SYS_close_range, 3u, ~0u, 0u) != 0) {
        for (int fd = 3; fd < 65536; ++fd) ::close(fd);
    }
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD}) ::sigaction(sig, &dfl, nullptr);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(path, argv, environ);
    ::_exit(127);
}

}  // namespace

pid_t startPromptProcess(const std::string& path, int stdinFd, int stdoutFd) {
    std::string arg0 = path;
    char* argv[] = {arg0.data(), nullptr};
    std::lock_guard lock(registryMutex);
    if (aborted) {
        throw pkcs11::Error(pkcs11::Reason::Internal,
                            "el agente se está deteniendo / the agent is stopping");
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        throw pkcs11::Error(pkcs11::Reason::Internal,
                            std::string("cannot start pinentry: ") + std::strerror(errno));
    }
    if (pid == 0) runChild(path.c_str(), argv, parent, stdinFd, stdoutFd);
    running.insert(pid);
    return pid;
}

void endPromptProcess(pid_t pid, int fromChildFd, int graceMs) noexcept {
    if (pid <= 0) return;
    // A child that was told BYE (or lost its stdin) closes its stdout as it exits.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(graceMs);
    char scratch[256];
    while (fromChildFd >= 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0) break;
        pollfd pfd{fromChildFd, POLLIN, 0};
        const int r = ::poll(&pfd, 1, static_cast<int>(left));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        const ssize_t n = ::read(fromChildFd, scratch, sizeof scratch);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // end of file: it is exiting
    }
    pkcs11::secureWipe(scratch, sizeof scratch);
    {
        // Out of the registry before it is reaped, so abortPromptProcesses() never signals a
        // pid the system may have given to someone else.
        std::lock_guard lock(registryMutex);
        running.erase(pid);
    }
    if (::waitpid(pid, nullptr, WNOHANG) == 0) {
        ::kill(pid, SIGKILL);
        while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
}

void abortPromptProcesses() noexcept {
    std::lock_guard lock(registryMutex);
    aborted = true;
    for (pid_t pid : running) ::kill(pid, SIGKILL);
}

}  // namespace firmante::prompt
