#pragma once

#include <string>

namespace firmante::nmhost {

/// Finds and starts `firmante-agent` so that it outlives the relay.
class AgentLauncher {
  public:
    /// The program to start: `FIRMANTE_AGENT` if set, else `firmante-agent` next to this
    /// executable if it exists there, else the bare name `firmante-agent` (looked up on PATH).
    static std::string locate();

    /// Starts `program` with no arguments in a new session (setsid, double fork so it is not our
    /// child), stdio on /dev/null, no inherited descriptors — the browser's pipes must not be
    /// held open by a process that outlives the relay. Returns once exec succeeded.
    /// Throws `HostError` (NATIVE_UNAVAILABLE) if it cannot be executed.
    static void startDetached(const std::string& program);
};

}  // namespace firmante::nmhost
