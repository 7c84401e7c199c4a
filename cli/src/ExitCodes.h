#pragma once

#include <string_view>

namespace firmante::cli {

/// Exit statuses, one per class of reason, so scripts can branch without parsing text.
/// Documented in docs/cli.md; keep both in step.
enum ExitCode : int {
    kExitOk = 0,
    kExitUsage = 1,         // INVALID_PARAMS and other malformed input
    kExitWrongSecret = 2,   // PIN_INCORRECT, PASSWORD_INCORRECT
    kExitLocked = 3,        // PIN_LOCKED
    kExitCancelled = 4,     // USER_CANCELLED, TIMEOUT, BUSY
    kExitNoToken = 5,       // MODULE_NOT_FOUND, TOKEN_NOT_PRESENT, TOKEN_REMOVED, ...
    kExitNotFound = 6,      // KEY_NOT_FOUND, CERTIFICATE_NOT_FOUND
    kExitInvalid = 7,       // SIGNATURE_INVALID, CERTIFICATE_MISMATCH, CERTIFICATE_EXPIRED, …
    kExitRefused = 8,       // the agent or portal refused: ORIGIN_NOT_ALLOWED, PORTAL_ERROR, ...
    kExitNotAvailable = 9,  // NOT_AVAILABLE: a verb of a later phase
    kExitInternal = 10,     // INTERNAL and anything unexpected
};

/// The exit status for a reason word.
int exitCodeFor(std::string_view reason) noexcept;

}  // namespace firmante::cli
