// Socket activation without libsystemd: the protocol is three environment variables and a
// descriptor number (sd_listen_fds(3)), and systemd-socket-activate speaks it too.
#include "firmante/agent/SocketActivation.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

namespace firmante::agent {

namespace {

constexpr int kFirstPassedDescriptor = 3;  // SD_LISTEN_FDS_START

std::optional<long> number(const char* name) {
    const char* text = std::getenv(name);
    if (text == nullptr || *text == '\0') return std::nullopt;
    const std::string_view view(text);
    long value = 0;
    auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), value);
    if (ec != std::errc() || end != view.data() + view.size()) return std::nullopt;
    return value;
}

int socketOption(int fd, int level, int name) {
    int value = 0;
    socklen_t length = sizeof value;
    if (::getsockopt(fd, level, name, &value, &length) != 0) return -1;
    return value;
}

}  // namespace

std::optional<int> takeActivatedSocket() {
    const auto pid = number("LISTEN_PID");
    const auto count = number("LISTEN_FDS");
    ::unsetenv("LISTEN_PID");
    ::unsetenv("LISTEN_FDS");
    ::unsetenv("LISTEN_FDNAMES");
    // Variables meant for another process (inherited through a shell) are not ours to act on.
    if (!pid || !count || *pid != static_cast<long>(::getpid()) || *count < 1) return std::nullopt;

    const int fd = kFirstPassedDescriptor;
    if (socketOption(fd, SOL_SOCKET, SO_DOMAIN) != AF_UNIX ||
        socketOption(fd, SOL_SOCKET, SO_TYPE) != SOCK_STREAM ||
        socketOption(fd, SOL_SOCKET, SO_ACCEPTCONN) != 1) {
        throw std::runtime_error(
            "LISTEN_FDS is set but descriptor 3 is not a listening Unix stream socket "
            "(check ListenStream= in firmante-agent.socket)");
    }
    // Extra descriptors (a unit with more than one ListenStream=) would leak into pinentry.
    for (long extra = 1; extra < *count; ++extra) ::close(fd + static_cast<int>(extra));
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

}  // namespace firmante::agent
