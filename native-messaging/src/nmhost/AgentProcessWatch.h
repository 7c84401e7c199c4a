#pragma once

#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "firmante/protocol/UniqueFd.h"

namespace firmante::nmhost {

/// A descriptor that becomes readable when the agent process at the other end of `agentSocket`
/// exits (a Linux pidfd of the socket's peer), or an empty one when that cannot be had.
///
/// Why not just wait for the socket's end of stream: a child the agent started (its pinentry
/// window, waiting for a PIN) inherits the agent's sockets, so when the agent dies mid-prompt the
/// connection stays open as long as that window does, and the page would wait its five minutes
/// (issue 14). The process itself going away is the fact to watch.
inline protocol::UniqueFd watchAgentProcess(int agentSocket) noexcept {
#if defined(SO_PEERCRED) && defined(SYS_pidfd_open)
    ucred peer{};
    socklen_t length = sizeof peer;
    if (::getsockopt(agentSocket, SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0 || peer.pid <= 0)
        return protocol::UniqueFd();
    // The peer's pid as of connect(); the agent keeps this socket, so it is still that process.
    const long fd = ::syscall(SYS_pidfd_open, peer.pid, 0);
    return fd < 0 ? protocol::UniqueFd() : protocol::UniqueFd(static_cast<int>(fd));
#else
    (void)agentSocket;
    return protocol::UniqueFd();
#endif
}

}  // namespace firmante::nmhost
