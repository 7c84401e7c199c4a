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
    /// `Origin` header, the portal a CLI acts for, or `local` (a CLI of this user). Empty: the
    /// transport vouched for nothing, and every request is refused (fail closed).
    std::string origin;
    /// Our native host's relay: the extension's background puts the page's origin in each
    /// request (taken from the browser's sender information), and the relay forwards it;
    /// `origin` above is not used.
    bool originPerRequest = false;
    /// The connection is our native host, which the browser starts only for our extension: its
    /// own pages (the popup) may read status without a question (ExtensionPageRule.h). A
    /// separate fact from originPerRequest: another relay carrying origins would not be ours.
    bool ownExtensionRelay = false;
    std::string browser;      // native messaging only
    std::string extensionId;  // native messaging only
};

}  // namespace firmante::agent
