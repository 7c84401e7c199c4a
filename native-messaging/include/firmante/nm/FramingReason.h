#pragma once

#include <string_view>

#include "firmante/protocol/ReasonEnums.h"

namespace firmante::nm {

/// Why a frame could not be read or written. Each value maps to a stable upper-case word that
/// ends up in `error.data.reason` of a JSON-RPC error (DESIGN §2).
enum class FramingReason {
    TooLarge,    ///< declared or actual length above the limit → "TOO_LARGE"
    Truncated,   ///< the stream ended inside a header or a body → "TRUNCATED"
    ParseError,  ///< the body is not UTF-8 / not JSON → "PARSE_ERROR"
};

/// The stable reason word for `reason` ("TOO_LARGE", "TRUNCATED", "PARSE_ERROR").
constexpr std::string_view reasonWord(FramingReason reason) noexcept {
    switch (reason) {
        case FramingReason::TooLarge:
            return protocol::words::TooLarge;
        case FramingReason::Truncated:
            return protocol::words::Truncated;
        case FramingReason::ParseError:
            return protocol::words::ParseError;
    }
    return protocol::words::Internal;
}

}  // namespace firmante::nm
