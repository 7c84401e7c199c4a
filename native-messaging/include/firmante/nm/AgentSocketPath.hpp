#pragma once

#include <string>

namespace firmante::nm {

/// The agent's Unix socket path: `FIRMANTE_SOCKET` if set and non-empty, else
/// `$XDG_RUNTIME_DIR/firmante/agent.sock`. Throws `std::runtime_error` naming both variables
/// when neither is set (no guessed fallback: a socket in a world-writable place is unsafe).
std::string agentSocketPath();

}  // namespace firmante::nm
