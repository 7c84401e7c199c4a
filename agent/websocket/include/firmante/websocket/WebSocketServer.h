#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "firmante/agent/Limits.h"
#include "firmante/websocket/WebSocketSettings.h"

namespace firmante::agent {
class Dispatcher;
class ConnectionHub;
class OriginPolicy;
}  // namespace firmante::agent

namespace firmante::websocket {

class ServerState;

/// start() could not listen. `reason` is PORT_IN_USE (another program, maybe another user's
/// agent, holds 127.0.0.1:port) or LISTEN_FAILED.
class ListenError : public std::runtime_error {
  public:
    ListenError(std::string reason, std::uint16_t port, const std::string& message)
        : std::runtime_error(message), reason_(std::move(reason)), port_(port) {}
    const std::string& reason() const noexcept { return reason_; }
    std::uint16_t port() const noexcept { return port_; }

  private:
    std::string reason_;
    std::uint16_t port_;
};

/// ws://127.0.0.1:PORT and ws://[::1]:PORT for web pages (DESIGN §1, §3 rule 3). The HTTP upgrade
/// is checked (Host, Origin, duplicates, size, time) before it is accepted; each text message is
/// one JSON-RPC request for the Dispatcher, with the `Origin` header as the attested origin.
/// Runs on its own I/O thread, one strand per connection; never listens beyond loopback.
class WebSocketServer {
  public:
    /// The references must outlive stop(). `limits.maxFrameBytes` is the message limit.
    WebSocketServer(agent::Dispatcher& dispatcher, agent::ConnectionHub& hub,
                    agent::OriginPolicy& origins, agent::Limits limits,
                    WebSocketSettings settings = {});
    ~WebSocketServer();
    WebSocketServer(const WebSocketServer&) = delete;
    WebSocketServer& operator=(const WebSocketServer&) = delete;

    /// Binds 127.0.0.1 (throws ListenError when that fails, e.g. the port is taken) and
    /// ::1 on the same port (logged and skipped when IPv6 loopback is unavailable), then serves.
    void start();
    /// Closes every connection (close code 1001, going away), waits up to two seconds for the
    /// peers, and joins the I/O thread. Idempotent; called by the destructor.
    void stop() noexcept;

    /// The bound port (the system's choice when settings.port was 0); 0 before start().
    std::uint16_t port() const noexcept;
    /// "127.0.0.1:PORT" and, when bound, "[::1]:PORT".
    std::vector<std::string> endpoints() const;

  private:
    std::shared_ptr<ServerState> state_;
    std::vector<std::string> endpoints_;
    std::thread thread_;
    bool started_ = false;
};

}  // namespace firmante::websocket
