#include "ExitCodes.h"

#include <array>
#include <utility>

namespace firmante::cli {

int exitCodeFor(std::string_view reason) noexcept {
    static constexpr std::array<std::pair<std::string_view, int>, 32> kTable{{
        {"INVALID_PARAMS", kExitUsage},
        {"PARSE_ERROR", kExitUsage},
        {"INVALID_REQUEST", kExitUsage},
        {"METHOD_NOT_FOUND", kExitUsage},
        {"TOO_LARGE", kExitUsage},
        {"PIN_INCORRECT", kExitWrongSecret},
        {"PASSWORD_INCORRECT", kExitWrongSecret},
        {"PIN_LOCKED", kExitLocked},
        {"USER_CANCELLED", kExitCancelled},
        {"TIMEOUT", kExitCancelled},
        {"BUSY", kExitCancelled},
        {"MODULE_NOT_FOUND", kExitNoToken},
        {"TOKEN_NOT_PRESENT", kExitNoToken},
        {"TOKEN_REMOVED", kExitNoToken},
        {"NOT_LOGGED_IN", kExitNoToken},
        {"MECHANISM_INVALID", kExitNoToken},
        {"KEY_TYPE_UNSUPPORTED", kExitNoToken},
        {"KEY_PROVENANCE_UNCONFIRMED", kExitRefused},
        {"KEY_NOT_FOUND", kExitNotFound},
        {"CERTIFICATE_NOT_FOUND", kExitNotFound},
        {"SIGNATURE_INVALID", kExitInvalid},
        {"CERTIFICATE_MISMATCH", kExitInvalid},
        {"CERTIFICATE_EXPIRED", kExitInvalid},
        {"LETTER_MISMATCH", kExitInvalid},
        {"ORIGIN_NOT_ALLOWED", kExitRefused},
        {"RENEWAL_STATE", kExitRefused},
        {"VERSION_MISMATCH", kExitRefused},
        {"NATIVE_UNAVAILABLE", kExitRefused},
        {"PORTAL_ERROR", kExitRefused},
        {"NOT_AVAILABLE", kExitNotAvailable},
        {"PORT_IN_USE", kExitRefused},
        {"NOT_WRITABLE", kExitRefused},
    }};
    for (const auto& [word, code] : kTable)
        if (word == reason) return code;
    return kExitInternal;
}

}  // namespace firmante::cli
