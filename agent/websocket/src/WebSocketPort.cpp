#include "firmante/websocket/WebSocketPort.h"

#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace firmante::websocket {

std::optional<std::uint16_t> parseWebSocketPort(const char* value) {
    if (value == nullptr || *value == '\0') return kDefaultWebSocketPort;
    const std::string_view text(value);
    if (text == "auto") return std::uint16_t{0};
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (ec != std::errc() || end != text.data() + text.size() || port > 65535) {
        throw std::invalid_argument(
            "FIRMANTE_WS_PORT must be a port number (0 disables the WebSocket) or \"auto\"");
    }
    if (port == 0) return std::nullopt;
    return static_cast<std::uint16_t>(port);
}

std::optional<std::uint16_t> webSocketPortFromEnvironment() {
    return parseWebSocketPort(std::getenv("FIRMANTE_WS_PORT"));
}

}  // namespace firmante::websocket
