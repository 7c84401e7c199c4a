#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "firmante/testing/Process.h"
#include "firmante/testing/SoftHsmToken.h"
#include "firmante/testing/TempDir.h"

namespace firmante::agent::testing {

/// A real firmante-agent process with its own socket, config, state folder, SoftHSM token and
/// the fake pinentry. The folder layout is fixed so tests can read what the agent wrote.
class AgentProcess {
  public:
    AgentProcess(const firmante::testing::TempDir& dir, const firmante::testing::SoftHsmToken& hsm,
                 std::map<std::string, std::string> extraEnv = {});
    ~AgentProcess();
    AgentProcess(const AgentProcess&) = delete;
    AgentProcess& operator=(const AgentProcess&) = delete;

    /// Starts the agent and waits (with a deadline) until its socket accepts connections.
    /// Throws std::runtime_error with the agent's stderr when it does not come up.
    void start(const std::vector<std::string>& args = {});
    /// Sends `signal` and waits for the process to end. Returns the wait status.
    int stop(int signal = 15);
    /// Waits up to `limit` for the agent to end by itself. Returns the wait status, or nullopt
    /// when it still runs.
    std::optional<int> waitForExit(std::chrono::milliseconds limit);
    bool running() const noexcept { return child_ && child_->running(); }
    pid_t pid() const noexcept { return child_ ? child_->pid() : -1; }

    /// The environment the agent runs with (for a second agent or a fake pinentry of one's own).
    const std::map<std::string, std::string>& environment() const noexcept { return env_; }
    /// dir/run/agent.sock, or where the agent finds it by itself when extraEnv sets
    /// FIRMANTE_SOCKET to "" (then XDG_RUNTIME_DIR decides, or the /tmp fallback).
    std::filesystem::path socket() const { return socket_; }
    std::filesystem::path config() const { return dir_ / "config.json"; }
    std::filesystem::path stateDir() const { return dir_ / "state" / "firmante"; }
    std::filesystem::path pinentryScript() const { return dir_ / "pinentry-script"; }
    std::filesystem::path pinentryLog() const { return dir_ / "pinentry-log.jsonl"; }
    std::filesystem::path stderrFile() const { return dir_ / "agent.stderr"; }

    /// Writes the fake pinentry's answers (one per line, consumed in order).
    void script(const std::string& lines) const;
    /// Resident memory of the agent, in KiB (VmRSS).
    long rssKiB() const;

    static std::string binary();
    static std::string fakePinentry();

  private:
    std::filesystem::path dir_;
    std::filesystem::path socket_;
    std::map<std::string, std::string> env_;
    std::optional<firmante::testing::Child> child_;
};

}  // namespace firmante::agent::testing
