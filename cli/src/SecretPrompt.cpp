#include "SecretPrompt.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "CliError.h"
#include "Messages.h"
#include "TerminalReader.h"
#include "firmante/prompt/PinentryPrompter.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::cli {

pkcs11::Secret obtainSecret(std::optional<int> fd, const PromptText& text) {
    if (fd) {
        try {
            return pkcs11::readSecretFromFd(*fd);
        } catch (const pkcs11::Error& e) {
            throw CliError(protocol::words::InvalidParams,
                           tr("pin.fdUnreadable", {std::to_string(*fd)}));
        }
    }
    if (const char* program = std::getenv("FIRMANTE_PINENTRY"); program && *program) {
        // A terminal pinentry (pinentry-tty, -curses) reads its stdin from our pipe, so it must be
        // told which terminal the person sits at; the prompt library passes GPG_TTY on.
        if (isatty(STDIN_FILENO) && !std::getenv("GPG_TTY"))
            if (const char* tty = ttyname(STDIN_FILENO)) setenv("GPG_TTY", tty, 0);
        prompt::PromptText question;
        question.title = text.title;
        question.description = text.description;
        question.prompt = text.prompt;
        question.ok = tr("prompt.ok");
        question.cancel = tr("prompt.cancel");
        try {
            return prompt::PinentryPrompter(program).askPin(question);
        } catch (const pkcs11::Error& e) {
            if (e.reason() == pkcs11::Reason::UserCancelled)
                throw CliError(protocol::words::UserCancelled, tr("pin.cancelled"));
            throw CliError(std::string(e.reasonWord()), tr("pinentry.failed", {program, e.what()}));
        }
    }
    if (isatty(STDIN_FILENO)) return readSecretFromTerminal(text);
    throw CliError(protocol::words::InvalidParams, tr("pin.noSource"));
}

}  // namespace firmante::cli
