#include "firmante/protocol/PeerCredentials.h"

#include <sys/socket.h>

namespace firmante::protocol {

std::optional<PeerCredentials> PeerCredentials::of(int socketFd) noexcept {
    ucred cred{};
    socklen_t length = sizeof cred;
    if (::getsockopt(socketFd, SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0 ||
        length != sizeof cred) {
        return std::nullopt;
    }
    return PeerCredentials{cred.pid, cred.uid, cred.gid};
}

bool peerAllowed(const std::optional<PeerCredentials>& peer, uid_t self) noexcept {
    // Unknown credentials are refused: the check must fail closed.
    return peer && peer->uid == self;
}

}  // namespace firmante::protocol
