#include "TerminalReader.h"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "CliError.h"
#include "Messages.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::cli {
namespace {

// Saved for the signal handler: a Ctrl-C while echo is off must not leave the shell silent.
termios gSaved{};
volatile sig_atomic_t gEchoOff = 0;

extern "C" void restoreAndReraise(int sig) {
    if (gEchoOff) tcsetattr(STDIN_FILENO, TCSAFLUSH, &gSaved);
    signal(sig, SIG_DFL);
    raise(sig);
}

class EchoOff {
  public:
    EchoOff() {
        if (tcgetattr(STDIN_FILENO, &gSaved) != 0)
            throw CliError(protocol::words::InvalidParams, tr("pin.noTerminal"));
        termios quiet = gSaved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;
        struct sigaction sa {};
        sa.sa_handler = restoreAndReraise;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &oldInt_);
        sigaction(SIGTERM, &sa, &oldTerm_);
        sigaction(SIGTSTP, &sa, &oldTstp_);
        gEchoOff = 1;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    ~EchoOff() {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &gSaved);
        gEchoOff = 0;
        sigaction(SIGINT, &oldInt_, nullptr);
        sigaction(SIGTERM, &oldTerm_, nullptr);
        sigaction(SIGTSTP, &oldTstp_, nullptr);
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

  private:
    struct sigaction oldInt_ {
    }, oldTerm_{}, oldTstp_{};
};

}  // namespace

pkcs11::Secret readSecretFromTerminal(const PromptText& text) {
    pkcs11::Secret secret;
    {
        // Echo goes off before the prompt appears: a person (or a script on a pty) who starts
        // typing at the prompt must never see the PIN echoed, nor have it flushed by TCSAFLUSH.
        EchoOff guard;
        std::string shown = text.description + "\n" + text.prompt + " ";
        if (::write(STDERR_FILENO, shown.data(), shown.size()) < 0) {
            // Nothing useful to do: the prompt is a courtesy, the read below still works.
        }
        for (;;) {
            char c = 0;
            ssize_t n = ::read(STDIN_FILENO, &c, 1);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) throw CliError(protocol::words::UserCancelled, tr("pin.cancelled"));
            if (c == '\n' || c == '\r') break;
            secret.push_back(c);
            c = 0;
        }
    }
    if (secret.empty()) throw CliError(protocol::words::InvalidParams, tr("pin.empty"));
    return secret;
}

}  // namespace firmante::cli
