#pragma once

#include <chrono>
#include <string>

#include "firmante/protocol/UniqueFd.h"

namespace firmante::nmhost {

/// Connects to the agent's Unix socket, starting the agent first when nobody listens.
class AgentConnector {
  public:
    /// `startTimeout` bounds the wait for a freshly started agent's socket.
    AgentConnector(std::string socketPath, std::chrono::milliseconds startTimeout);

    /// A connected socket. Throws `HostError`: NATIVE_UNAVAILABLE when the socket cannot be used
    /// or the agent cannot be started, TIMEOUT when a started agent never listens in time.
    protocol::UniqueFd connect();

  private:
    std::string socketPath_;
    std::chrono::milliseconds startTimeout_;
};

}  // namespace firmante::nmhost
