#pragma once

#include <string_view>

#include "firmante/protocol/Reasons.h"

namespace firmante::cli {

/// Exit statuses, one per class of reason, so scripts can branch without parsing text. Each
/// reason's class is in protocol/reasons.json ("exit"); documented in docs/cli.md.
enum ExitCode : int {
    kExitOk = static_cast<int>(protocol::ExitCode::Ok),
    kExitUsage = static_cast<int>(protocol::ExitCode::Usage),
    kExitWrongSecret = static_cast<int>(protocol::ExitCode::WrongSecret),
    kExitLocked = static_cast<int>(protocol::ExitCode::Locked),
    kExitCancelled = static_cast<int>(protocol::ExitCode::Cancelled),
    kExitNoToken = static_cast<int>(protocol::ExitCode::NoToken),
    kExitNotFound = static_cast<int>(protocol::ExitCode::NotFound),
    kExitInvalid = static_cast<int>(protocol::ExitCode::Invalid),
    kExitRefused = static_cast<int>(protocol::ExitCode::Refused),
    kExitNotAvailable = static_cast<int>(protocol::ExitCode::NotAvailable),
    kExitInternal = static_cast<int>(protocol::ExitCode::Internal),
};

/// The exit status for a reason word (INTERNAL's for a word the table does not have).
inline int exitCodeFor(std::string_view reason) noexcept {
    return static_cast<int>(protocol::reasonInfoOrInternal(reason).exit);
}

}  // namespace firmante::cli
