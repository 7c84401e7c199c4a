#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace firmante::cli {

/// A JSON-RPC connection to a running firmante-agent over its Unix socket (FIRMANTE_SOCKET, else
/// $XDG_RUNTIME_DIR/firmante/agent.sock), framed as the conventions say and opened with the
/// `transport.hello` of a `cli` client. The agent asks for the PIN in its own UI.
class AgentClient {
  public:
    /// Connects and says hello; nullptr when no agent listens (no socket path, no socket, or
    /// nobody accepting). Throws CliError with the agent's reason when the agent refuses the
    /// hello (VERSION_MISMATCH…). With `origin`, the hello attests the origin of the portal this
    /// CLI talks to itself (`firmante renew`), which the agent then signs challenges for.
    static std::unique_ptr<AgentClient> connect(const std::optional<std::string>& origin = {});

    ~AgentClient();
    AgentClient(const AgentClient&) = delete;
    AgentClient& operator=(const AgentClient&) = delete;

    /// Calls a method and returns its result. Notifications arriving meanwhile are skipped.
    /// Throws CliError carrying error.data.reason (and triesLeft) for a JSON-RPC error, and
    /// CliError(INTERNAL) when the agent closes the connection or answers garbage.
    nlohmann::json call(const std::string& method, const nlohmann::json& params);

    const std::string& socketPath() const noexcept { return path_; }
    /// The hello's result: agentVersion, protocolVersion.
    const nlohmann::json& hello() const noexcept { return hello_; }

  private:
    AgentClient(int fd, std::string path);
    nlohmann::json exchange(const nlohmann::json& request);

    int fd_;
    std::string path_;
    long nextId_ = 1;
    nlohmann::json hello_;
};

}  // namespace firmante::cli
