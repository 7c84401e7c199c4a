#pragma once

#include <string>

namespace firmante::protocol {

/// The agent's Unix socket path, the one answer the agent (where it listens), the CLI and the
/// native messaging relay (where they look) share:
///  1. `FIRMANTE_SOCKET` when set and non-empty;
///  2. else `$XDG_RUNTIME_DIR/firmante/agent.sock`;
///  3. else `/tmp/firmante-<uid>/agent.sock` (a bare ssh session, a container). The agent creates
///     that folder 0700 and refuses one owned by another user; a client must check the peer's uid
///     after connecting (`peerAllowed`), because it cannot create the folder itself.
/// Empty variables count as unset. Never throws except std::bad_alloc.
std::string agentSocketPath();

}  // namespace firmante::protocol
