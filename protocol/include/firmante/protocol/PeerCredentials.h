#pragma once

#include <sys/types.h>

#include <optional>

namespace firmante::protocol {

/// Who is at the other end of a Unix socket, as the kernel recorded at connect() (SO_PEERCRED).
struct PeerCredentials {
    pid_t pid = 0;
    uid_t uid = 0;
    gid_t gid = 0;

    /// Reads SO_PEERCRED; nullopt when the kernel cannot tell.
    static std::optional<PeerCredentials> of(int socketFd) noexcept;
};

/// Only processes of our own uid may be at either end of the agent's socket (DESIGN §3: other
/// uids are untrusted). The agent checks its clients; clients check the agent, since the socket
/// may sit in a folder under /tmp that another user could have created first.
bool peerAllowed(const std::optional<PeerCredentials>& peer, uid_t self) noexcept;

}  // namespace firmante::protocol
