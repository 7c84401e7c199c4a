#include "AgentLauncher.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "HostError.h"
#include "firmante/protocol/ReasonEnums.h"
#include "firmante/protocol/UniqueFd.h"

namespace firmante::nmhost {

namespace {

constexpr const char* kAgentName = "firmante-agent";

// Marks every descriptor from 3 up close-on-exec, so only stdio (on /dev/null) and the error
// pipe survive until exec, and only stdio after it.
void markDescriptorsCloseOnExec() {
    if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
    const long maxFd = std::min(::sysconf(_SC_OPEN_MAX), 65536L);
    for (int fd = 3; fd < maxFd; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

[[noreturn]] void execAgent(const std::string& program, int errorPipe) {
    ::setsid();
    const pid_t grandchild = ::fork();
    if (grandchild != 0) ::_exit(grandchild < 0 ? 1 : 0);

    const int devNull = ::open("/dev/null", O_RDWR);
    if (devNull >= 0) {
        ::dup2(devNull, 0);
        ::dup2(devNull, 1);
        ::dup2(devNull, 2);
    }
    markDescriptorsCloseOnExec();
    char* const argv[] = {const_cast<char*>(program.c_str()), nullptr};
    if (program.find('/') != std::string::npos) {
        ::execv(program.c_str(), argv);
    } else {
        ::execvp(program.c_str(), argv);
    }
    const int error = errno;
    [[maybe_unused]] auto ignored = ::write(errorPipe, &error, sizeof error);
    ::_exit(127);
}

}  // namespace

std::string AgentLauncher::locate() {
    if (const char* configured = std::getenv("FIRMANTE_AGENT");
        configured != nullptr && *configured != '\0') {
        return configured;
    }
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto sibling = self.parent_path() / kAgentName;
        if (::access(sibling.c_str(), X_OK) == 0) return sibling.string();
    }
    return kAgentName;
}

void AgentLauncher::startDetached(const std::string& program) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw HostError(protocol::words::AgentNotRunning,
                        std::string("pipe: ") + std::strerror(errno));
    }
    protocol::UniqueFd readEnd(fds[0]);
    protocol::UniqueFd writeEnd(fds[1]);

    spdlog::info("starting {}", program);
    const pid_t child = ::fork();
    if (child < 0) {
        throw HostError(protocol::words::AgentNotRunning,
                        std::string("fork: ") + std::strerror(errno));
    }
    if (child == 0) execAgent(program, writeEnd.get());

    writeEnd.reset();
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    // The pipe closes on a successful exec (O_CLOEXEC) or carries the exec errno.
    int execError = 0;
    ssize_t n;
    do {
        n = ::read(readEnd.get(), &execError, sizeof execError);
    } while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(sizeof execError)) {
        throw HostError(protocol::words::AgentNotRunning,
                        "No se pudo iniciar firmante-agent / Cannot start " + program + ": " +
                            std::strerror(execError));
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw HostError(protocol::words::AgentNotRunning,
                        "No se pudo iniciar firmante-agent / Cannot start " + program);
    }
}

}  // namespace firmante::nmhost
