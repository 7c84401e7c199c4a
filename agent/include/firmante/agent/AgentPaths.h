#pragma once

#include <filesystem>
#include <optional>

namespace firmante::agent {

/// Where the agent keeps its socket, lock, config, log and renewal journal.
struct AgentPaths {
    std::filesystem::path socket;  // protocol::agentSocketPath(), shared with CLI and relay
    std::filesystem::path lock;    // next to the socket: agent.sock.lock
    std::filesystem::path config;  // FIRMANTE_CONFIG or $XDG_CONFIG_HOME/firmante/config.json
    /// FIRMANTE_ADMIN_CONFIG, else /etc/firmante/config.json — but none when FIRMANTE_CONFIG
    /// names the one config file to use (tests, a person who wants exactly their own).
    std::optional<std::filesystem::path> adminConfig;
    std::filesystem::path stateDir;     // $XDG_STATE_HOME/firmante (default ~/.local/state)
    std::filesystem::path logFile;      // stateDir/agent.log
    std::filesystem::path renewalsDir;  // stateDir/renewals

    static AgentPaths fromEnvironment();
};

/// Creates `dir` (and parents) and makes sure the last component is ours with mode 0700.
/// Throws std::runtime_error when it belongs to another user or cannot be made private.
void ensurePrivateDirectory(const std::filesystem::path& dir);

}  // namespace firmante::agent
