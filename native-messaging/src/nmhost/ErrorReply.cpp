#include "ErrorReply.h"

#include <nlohmann/json.hpp>

#include "firmante/nm/Limits.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::nmhost {

namespace {

nlohmann::json idValue(const std::optional<std::string>& rawId) {
    if (!rawId) return nullptr;
    // The id came out of findTopLevelId: a short string, number or null literal.
    auto parsed = nlohmann::json::parse(*rawId, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded() || !(parsed.is_string() || parsed.is_number() || parsed.is_null()))
        return nullptr;
    return parsed;
}

nlohmann::json errorObject(std::string_view reason, std::string_view message,
                           const std::optional<std::string>& rawId) {
    return {{"jsonrpc", "2.0"},
            {"id", idValue(rawId)},
            {"error", {{"code", -32000}, {"message", message}, {"data", {{"reason", reason}}}}}};
}

}  // namespace

std::string errorReply(std::string_view reason, std::string_view message,
                       const std::optional<std::string>& rawId) {
    // Replacement characters instead of an exception if a message ever carries bad UTF-8.
    return errorObject(reason, message, rawId)
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string oversizedResponseReply(const std::optional<std::string>& rawId, std::size_t size) {
    auto reply = errorObject(protocol::words::TooLarge,
                             "El resultado excede el límite de 1 MiB del navegador / The result "
                             "exceeds the browser's 1 MiB limit",
                             rawId);
    reply["error"]["data"]["size"] = size;
    reply["error"]["data"]["limit"] = nm::kMaxHostToBrowserFrame;
    return reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace firmante::nmhost
