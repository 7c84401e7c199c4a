#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace firmante::agent {

/// What the transport knows about a connection once its hello is accepted.
struct ConnectionContext {
    enum class Kind { Cli, NativeMessaging, WebSocket };

    Kind kind = Kind::Cli;
    std::uint64_t id = 0;  // for log lines
    std::string client;    // "firmante-nmhost/0.1.0"
    /// The origin a transport vouches for: a CLI acting for a portal, or the WebSocket `Origin`
    /// header. Empty: `local` for a CLI; per request for native messaging.
    std::optional<std::string> attestedOrigin;
    std::string browser;      // native messaging only
    std::string extensionId;  // native messaging only
};

}  // namespace firmante::agent
