#include "AgentConnector.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "AgentLauncher.h"
#include "HostError.h"
#include "firmante/protocol/PeerCredentials.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::nmhost {

namespace {

// Result of one connect attempt: a socket, or the errno that explains why not.
struct Attempt {
    protocol::UniqueFd fd;
    int error = 0;
};

Attempt tryConnect(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.data(), path.size());  // length checked by the caller
    protocol::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return {protocol::UniqueFd(), errno};
    int rc;
    do {
        rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address));
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return {protocol::UniqueFd(), errno};
    return {std::move(fd), 0};
}

// No agent there (yet): the socket file is missing, or stale from an agent that died.
bool nobodyListens(int error) {
    return error == ENOENT || error == ECONNREFUSED;
}

// The socket may sit in a folder under /tmp that another user could have made first: whoever
// listens there must be us, or the page's requests (and the PIN prompts) reach a stranger.
protocol::UniqueFd ours(protocol::UniqueFd fd, const std::string& path) {
    if (!protocol::peerAllowed(protocol::PeerCredentials::of(fd.get()), ::getuid())) {
        throw HostError(protocol::words::NativeUnavailable,
                        "El socket del agente es de otro usuario / The agent socket belongs to "
                        "another user: " +
                            path);
    }
    return fd;
}

}  // namespace

AgentConnector::AgentConnector(std::string socketPath, std::chrono::milliseconds startTimeout)
    : socketPath_(std::move(socketPath)), startTimeout_(startTimeout) {}

protocol::UniqueFd AgentConnector::connect() {
    if (socketPath_.empty() || socketPath_.size() >= sizeof(sockaddr_un::sun_path)) {
        throw HostError(
            protocol::words::NativeUnavailable,
            "Ruta de socket del agente inválida / Invalid agent socket path: " + socketPath_);
    }
    Attempt first = tryConnect(socketPath_);
    if (first.fd) return ours(std::move(first.fd), socketPath_);
    if (!nobodyListens(first.error)) {
        throw HostError(protocol::words::AgentNotRunning,
                        "No se pudo conectar con firmante-agent / Cannot connect to "
                        "firmante-agent at " +
                            socketPath_ + ": " + std::strerror(first.error));
    }

    spdlog::info("no agent listens on {}; starting one", socketPath_);
    AgentLauncher::startDetached(AgentLauncher::locate());

    // Poll the connect with a short, growing back-off until the deadline: the agent needs a
    // few milliseconds to create its socket, and there is nothing else to wait on.
    const auto deadline = std::chrono::steady_clock::now() + startTimeout_;
    std::chrono::milliseconds delay(2);
    for (;;) {
        Attempt attempt = tryConnect(socketPath_);
        if (attempt.fd) return ours(std::move(attempt.fd), socketPath_);
        if (!nobodyListens(attempt.error)) {
            throw HostError(protocol::words::AgentNotRunning,
                            "No se pudo conectar con firmante-agent / Cannot connect to "
                            "firmante-agent at " +
                                socketPath_ + ": " + std::strerror(attempt.error));
        }
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) break;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
        ::poll(nullptr, 0, static_cast<int>(std::min(delay, left).count()));
        delay = std::min(delay * 2, std::chrono::milliseconds(100));
    }
    // Started but not listening (it failed, or is not an agent): to the person it is not running.
    throw HostError(protocol::words::AgentNotRunning,
                    "firmante-agent no abrió su socket a tiempo / firmante-agent did not open " +
                        socketPath_ + " within " + std::to_string(startTimeout_.count()) + " ms");
}

}  // namespace firmante::nmhost
