#include "firmante/prompt/PinentryPrompter.h"

#include <cstdlib>

#include "AssuanPipe.h"
#include "PromptProcess.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/prompt/AssuanEscape.h"

namespace firmante::prompt {

namespace {

// gpg-error codes carried by pinentry (source 5 in the top byte, code in the low 16 bits).
constexpr unsigned long kCodeMask = 0xFFFF;
constexpr unsigned long kCancelled = 99;      // GPG_ERR_CANCELED: 83886179
constexpr unsigned long kNotConfirmed = 114;  // GPG_ERR_NOT_CONFIRMED: 83886194

// Assuan lines end at 1000 bytes; long descriptions are cut on a UTF-8 boundary.
std::string limited(std::string text, std::size_t max = kPinentryDescriptionBytes) {
    std::string escaped = assuanEscape(text);
    while (escaped.size() > max && !text.empty()) {
        std::size_t cut = text.size() - 1;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
        text.resize(cut);
        escaped = assuanEscape(text + "…");
    }
    return escaped;
}

void send(AssuanPipe& pipe, const std::string& command, const std::string& argument) {
    auto status = pipe.command(command + " " + limited(argument));
    if (!status.ok) {
        throw pkcs11::Error(pkcs11::Reason::Internal,
                            "pinentry refused " + command + ": " + status.message);
    }
}

// Options are best effort: pinentry-gnome3 and -qt ignore the tty ones, older builds some others.
void sendOptions(AssuanPipe& pipe) {
    if (const char* tty = std::getenv("GPG_TTY"); tty && *tty) {
        pipe.command("OPTION ttyname=" + assuanEscape(tty));
    }
    if (const char* term = std::getenv("TERM"); term && *term) {
        pipe.command("OPTION ttytype=" + assuanEscape(term));
    }
    const char* lang = std::getenv("LC_ALL");
    if (!lang || !*lang) lang = std::getenv("LANG");
    if (lang && *lang) pipe.command("OPTION lc-ctype=" + assuanEscape(lang));
    pipe.command("OPTION allow-external-password-cache=0");
}

void describe(AssuanPipe& pipe, const PromptText& text, bool withPin) {
    sendOptions(pipe);
    send(pipe, "SETTITLE", text.title);
    send(pipe, "SETDESC", text.description);
    if (withPin) send(pipe, "SETPROMPT", text.prompt);
    send(pipe, "SETOK", text.ok);
    send(pipe, "SETCANCEL", text.cancel);
    if (text.error) send(pipe, "SETERROR", *text.error);
}

bool isRefusal(unsigned long code) {
    const auto c = code & kCodeMask;
    return c == kCancelled || c == kNotConfirmed;
}

}  // namespace

PinentryPrompter::PinentryPrompter(std::string program, std::chrono::seconds timeout)
    : program_(std::move(program)), timeout_(timeout) {}

std::string PinentryPrompter::programFromEnvironment() {
    const char* env = std::getenv("FIRMANTE_PINENTRY");
    return env && *env ? env : "pinentry";
}

pkcs11::Secret PinentryPrompter::askPin(const PromptText& text) {
    AssuanPipe pipe(program_, timeout_);
    describe(pipe, text, true);
    pkcs11::Secret pin;
    const auto status =
        pipe.command("GETPIN", [&pin](std::string_view data) { assuanDecodeInto(data, pin); });
    if (!status.ok) {
        if (isRefusal(status.code)) {
            throw pkcs11::Error(pkcs11::Reason::UserCancelled,
                                "la persona canceló el PIN / the PIN prompt was cancelled");
        }
        throw pkcs11::Error(pkcs11::Reason::Internal, "pinentry GETPIN failed: " + status.message);
    }
    if (pin.empty()) {
        // An empty PIN would be one wasted try on the token: treat it as a cancel.
        throw pkcs11::Error(pkcs11::Reason::UserCancelled,
                            "no se escribió un PIN / no PIN was entered");
    }
    return pin;
}

bool PinentryPrompter::confirm(const PromptText& text) {
    AssuanPipe pipe(program_, timeout_);
    describe(pipe, text, false);
    const auto status = pipe.command("CONFIRM");
    if (status.ok) return true;
    if (isRefusal(status.code)) return false;
    throw pkcs11::Error(pkcs11::Reason::Internal, "pinentry CONFIRM failed: " + status.message);
}

void PinentryPrompter::shutdown() noexcept {
    abortPromptProcesses();
}

}  // namespace firmante::prompt
