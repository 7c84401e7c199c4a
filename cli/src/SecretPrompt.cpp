#include "SecretPrompt.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "CliError.h"
#include "Messages.h"
#include "PinentryClient.h"
#include "TerminalReader.h"

namespace firmante::cli {

pkcs11::Secret obtainSecret(std::optional<int> fd, const PromptText& text) {
    if (fd) {
        try {
            return pkcs11::readSecretFromFd(*fd);
        } catch (const pkcs11::Error& e) {
            throw CliError("INVALID_PARAMS", tr("pin.fdUnreadable", {std::to_string(*fd)}));
        }
    }
    if (const char* program = std::getenv("FIRMANTE_PINENTRY"); program && *program) {
        PinentryClient pinentry(program);
        return pinentry.getPin(text);
    }
    if (isatty(STDIN_FILENO)) return readSecretFromTerminal(text);
    throw CliError("INVALID_PARAMS", tr("pin.noSource"));
}

}  // namespace firmante::cli
