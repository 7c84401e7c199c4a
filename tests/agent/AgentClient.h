#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace firmante::agent::testing {

/// A tiny client speaking the framing (4-byte native-endian length + JSON) over the agent's
/// socket, as the CLI and firmante-nmhost do.
class AgentClient {
  public:
    explicit AgentClient(const std::filesystem::path& socket);
    ~AgentClient();
    AgentClient(const AgentClient&) = delete;
    AgentClient& operator=(const AgentClient&) = delete;

    /// Sends transport.hello and returns the reply.
    nlohmann::json hello(const std::string& transport = "cli",
                         nlohmann::json extraParams = nlohmann::json::object());
    /// Sends a request and returns the response with the same id (skipping notifications).
    nlohmann::json call(const std::string& method, nlohmann::json params = nullptr,
                        nlohmann::json extraMembers = nlohmann::json::object(),
                        std::chrono::seconds timeout = std::chrono::seconds(60));
    /// Sends raw bytes as one frame body.
    void sendFrame(const std::string& body);
    /// Sends raw bytes with no framing added.
    void sendRaw(const std::string& bytes);
    /// The next message; nullopt at a timeout; throws at end of stream.
    std::optional<nlohmann::json> read(std::chrono::milliseconds timeout);
    /// The next response (a message with an id), skipping notifications; nullopt at a timeout.
    std::optional<nlohmann::json> readResponse(std::chrono::milliseconds timeout);
    /// True when the agent closed the connection within the timeout.
    bool closedByPeer(std::chrono::milliseconds timeout);

    int fd() const noexcept { return fd_; }

  private:
    int fd_ = -1;
    long nextId_ = 1;
};

}  // namespace firmante::agent::testing
