#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace firmante::websocket {

inline constexpr std::uint16_t kDefaultWebSocketPort = 31780;

/// Reads FIRMANTE_WS_PORT: unset or empty = 31780; "0" = disabled (nullopt); 1–65535 = that
/// port; "auto" = a free port the system picks (returned as 0; for tests and side-by-side
/// agents, which learn it from agent.info). Throws std::invalid_argument for anything else.
std::optional<std::uint16_t> webSocketPortFromEnvironment();

/// The same rules for a given value (nullptr = unset).
std::optional<std::uint16_t> parseWebSocketPort(const char* value);

}  // namespace firmante::websocket
