#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace firmante::nmhost {

/// A JSON-RPC 2.0 error object, serialised. `rawId` is the id's JSON text (`7`, `"x"`, `null`);
/// without one the id is `null`. Code -32000 (application error), `data.reason` = `reason`.
std::string errorReply(std::string_view reason, std::string_view message,
                       const std::optional<std::string>& rawId = std::nullopt);

/// The TOO_LARGE error that replaces an agent response the browser could not accept.
std::string oversizedResponseReply(const std::optional<std::string>& rawId, std::size_t size);

}  // namespace firmante::nmhost
