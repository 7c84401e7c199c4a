#pragma once

#include <optional>

#include "PromptText.h"
#include "firmante/pkcs11/Secret.h"

namespace firmante::cli {

/// Where a PIN or a .pfx password comes from, in this order: the descriptor given with
/// `--pin-fd`/`--password-fd` (automation), the pinentry program in FIRMANTE_PINENTRY, the
/// terminal on stdin without echo. Never an argument. Asked exactly once: a wrong PIN is not
/// retried. Throws CliError(INVALID_PARAMS) when there is no source, USER_CANCELLED on cancel.
pkcs11::Secret obtainSecret(std::optional<int> fd, const PromptText& text);

}  // namespace firmante::cli
