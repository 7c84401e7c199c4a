#pragma once

#include <cstdint>
#include <string>

namespace firmante::agent {

/// What the transport knows about a connection once its hello is accepted. The dispatcher reads
/// only what the transport vouches for (the origin), never which transport it is.
struct ConnectionContext {
    /// For log lines and each transport's own framing rules.
    enum class Kind { Cli, NativeMessaging, WebSocket };

    Kind kind = Kind::Cli;
    std::uint64_t id = 0;  // for log lines
    std::string client;    // "firmante-nmhost/0.1.0"
    /// The origin the transport vouches for, for every request on the connection: the WebSocket
    /// `Origin` header, the portal a CLI acts for, or `local` (a CLI of this user).
    std::string origin = "local";
    /// Our native host's relay: the extension's background puts the page's origin in each
    /// request (taken from the browser's sender information), and the relay forwards it;
    /// `origin` above is not used.
    bool originPerRequest = false;
    std::string browser;      // native messaging only
    std::string extensionId;  // native messaging only
};

}  // namespace firmante::agent
