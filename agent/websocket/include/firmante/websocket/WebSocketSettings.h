#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace firmante::websocket {

/// How the WebSocket transport listens and what it tolerates. The message limit is not here: it
/// is the agent's frame limit (agent::Limits::maxFrameBytes), the same on every transport.
struct WebSocketSettings {
    /// 31780 by default (FIRMANTE_WS_PORT); 0 lets the system pick a free port (tests), which
    /// WebSocketServer::port() then reports.
    std::uint16_t port = 31780;
    /// Open TCP connections (upgrading or upgraded); the next one is closed at once, before
    /// anything is read, so a flood never holds more descriptors than this.
    std::size_t maxConnections = 64;
    /// The upgrade request's header block; a bigger one is refused (HTTP 431) before buffering.
    std::size_t maxHeaderBytes = 8 * 1024;
    /// From accept to the end of the upgrade request (the consent wait does not count).
    std::chrono::seconds handshakeTimeout{5};
    /// How long a connection may wait for the person's answer about its origin before it gets
    /// 503 and gives its slot back; the question stays asked, and the page's next attempt gets
    /// the answer at once. At most a quarter of maxConnections wait at the same time.
    std::chrono::seconds consentWait{10};
    /// Silence after which the server pings; no answer within the same time closes the socket.
    std::chrono::seconds idleTimeout{60};
};

}  // namespace firmante::websocket
