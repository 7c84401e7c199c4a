#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>

namespace firmante::websocket {

using UpgradeRequest = boost::beast::http::request<boost::beast::http::empty_body>;

/// Why an HTTP request does not become a WebSocket, as the client is told.
struct Refusal {
    boost::beast::http::status status;
    std::string reason;  // short English text for the log and the response body (no input echoed)
};

/// `Host` names this server on loopback: 127.0.0.1, [::1] or localhost (any case), with our port
/// (the port may be left out only when it is 80). Anything else is DNS rebinding or a proxy.
bool isLoopbackHost(std::string_view host, std::uint16_t port) noexcept;

/// The checks that need no person: one Host/Origin/Upgrade header each, a loopback Host with
/// our port, a WebSocket upgrade (else 426, never the protocol), an Origin that is a web
/// origin (not `local`, not `null`). nullopt: go on and ask the OriginPolicy about the origin.
std::optional<Refusal> checkUpgradeRequest(const UpgradeRequest& request,
                                           std::uint16_t port) noexcept;

}  // namespace firmante::websocket
