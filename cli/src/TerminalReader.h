#pragma once

#include "PromptText.h"
#include "firmante/pkcs11/Secret.h"

namespace firmante::cli {

/// Reads one line from the terminal on stdin with echo turned off (termios), showing the prompt
/// on stderr so stdout stays clean for --json. Echo is restored on return, on exceptions and on
/// Ctrl-C. Throws CliError(USER_CANCELLED) on end of input and INVALID_PARAMS for an empty line.
pkcs11::Secret readSecretFromTerminal(const PromptText& text);

}  // namespace firmante::cli
