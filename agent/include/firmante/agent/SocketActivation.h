#pragma once

#include <optional>

namespace firmante::agent {

/// The listening socket a service manager handed over (systemd's `sd_listen_fds` protocol:
/// `LISTEN_PID` is our pid, `LISTEN_FDS` >= 1, the first socket is descriptor 3), or nullopt
/// when none was. Either way LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES are removed from the
/// environment, so that a child (pinentry) never believes the socket is meant for it.
/// Throws std::runtime_error when the variables promise a socket but descriptor 3 is not a
/// listening Unix stream socket (a unit with the wrong `ListenStream=`).
std::optional<int> takeActivatedSocket();

}  // namespace firmante::agent
