#pragma once

#include <map>
#include <optional>
#include <string>

#include "firmante/testing/Process.h"

namespace firmante::cli::test {

/// The real firmante-agent binary, started with the given environment (no WebSocket), and
/// stopped (SIGTERM, then SIGKILL after a deadline) when this goes away.
class RealAgent {
  public:
    RealAgent(std::string socketPath, std::map<std::string, std::string> env,
              std::string stderrPath);
    ~RealAgent();
    RealAgent(const RealAgent&) = delete;
    RealAgent& operator=(const RealAgent&) = delete;

    /// Starts it and waits (deadline 20 s) until the socket accepts a connection. Throws
    /// std::runtime_error with the agent's stderr when it does not come up.
    void start();

  private:
    std::string socket_;
    std::map<std::string, std::string> env_;
    std::string stderr_;
    std::optional<firmante::testing::Child> child_;
};

}  // namespace firmante::cli::test
