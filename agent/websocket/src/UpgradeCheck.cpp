#include "firmante/websocket/UpgradeCheck.h"

#include <algorithm>

#include <boost/beast/websocket/rfc6455.hpp>

#include "firmante/agent/Origin.h"

namespace firmante::websocket {

namespace http = boost::beast::http;

bool isLoopbackHost(std::string_view host, std::uint16_t port) noexcept {
    try {
        const std::string value = agent::asciiLower(host);
        const std::string suffix = ":" + std::to_string(port);
        for (const char* name : {"127.0.0.1", "[::1]", "localhost"}) {
            if (value == std::string(name) + suffix) return true;
            // RFC 7230 §5.4: the port may be left out when it is the scheme's default.
            if (port == 80 && value == name) return true;
        }
        return false;
    } catch (...) {
        return false;
    }
}

std::optional<Refusal> checkUpgradeRequest(const UpgradeRequest& request,
                                           std::uint16_t port) noexcept {
    try {
        // Two of these let a proxy or a browser quirk and our parser disagree about which one
        // counts; nobody honest sends two.
        for (const auto field : {http::field::host, http::field::origin, http::field::upgrade}) {
            if (request.count(field) > 1) {
                return Refusal{http::status::forbidden,
                               "more than one " + std::string(http::to_string(field)) + " header"};
            }
        }
        const auto host = request.find(http::field::host);
        if (host == request.end() ||
            !isLoopbackHost(std::string_view(host->value().data(), host->value().size()), port)) {
            // DNS rebinding: a public name that resolves to 127.0.0.1 carries that name here.
            return Refusal{http::status::forbidden, "Host is not this loopback server"};
        }
        if (!boost::beast::websocket::is_upgrade(request)) {
            return Refusal{http::status::upgrade_required, "WebSocket upgrade required"};
        }
        const auto origin = request.find(http::field::origin);
        if (origin == request.end()) {
            // Browsers always send Origin on a WebSocket; without it we cannot tell who asks.
            return Refusal{http::status::forbidden, "Origin header missing"};
        }
        const std::string_view value(origin->value().data(), origin->value().size());
        if (value == agent::kLocalOrigin || !agent::isValidOrigin(value)) {
            // `local` is the CLI's; `null` (sandboxed frames, file:) names nobody.
            return Refusal{http::status::forbidden, "Origin is not a web origin"};
        }
        return std::nullopt;
    } catch (...) {
        return Refusal{http::status::internal_server_error, "cannot check the request"};
    }
}

}  // namespace firmante::websocket
