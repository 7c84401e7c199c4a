#include "PinentryClient.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "CliError.h"
#include "Messages.h"

extern char** environ;

namespace firmante::cli {
namespace {

// Assuan lines are at most 1000 bytes; allow some slack for chatty pinentries.
constexpr std::size_t kMaxLine = 4096;
// GPG_ERR_CANCELED and GPG_ERR_TIMEOUT in the low 16 bits of an Assuan error code.
constexpr unsigned long kGpgErrCanceled = 99;
constexpr unsigned long kGpgErrTimeout = 62;

std::string assuanEscape(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        if (c == '%' || c < 0x20) {
            static const char* kDigits = "0123456789ABCDEF";
            out += '%';
            out += kDigits[c >> 4];
            out += kDigits[c & 0x0f];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool startsWith(const std::vector<char, pkcs11::ZeroizingAllocator<char>>& line,
                std::string_view prefix) {
    return line.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), line.begin());
}

}  // namespace

PinentryClient::PinentryClient(const std::string& program) {
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0) throw CliError("INTERNAL", "pipe2 failed");
    if (pipe2(out, O_CLOEXEC) != 0) {
        close(in[0]);
        close(in[1]);
        throw CliError("INTERNAL", "pipe2 failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    std::string programCopy = program;
    char* argv[] = {programCopy.data(), nullptr};
    int rc = posix_spawnp(&pid_, programCopy.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    toChild_ = in[1];
    fromChild_ = out[0];
    if (rc != 0) {
        close(toChild_);
        close(fromChild_);
        pid_ = -1;
        throw CliError("INVALID_PARAMS", tr("pinentry.cannotStart", {program, std::strerror(rc)}));
    }
    Line greeting;
    if (!readLine(greeting) || !startsWith(greeting, "OK"))
        throw CliError("INTERNAL", tr("pinentry.protocol", {program}));
}

PinentryClient::~PinentryClient() {
    if (pid_ < 0) return;
    try {
        send("BYE");
    } catch (...) {
        // The pinentry may already be gone; reaping it below is all that matters.
    }
    close(toChild_);
    close(fromChild_);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
}

void PinentryClient::send(const std::string& line) {
    std::string data = line + "\n";
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(toChild_, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw CliError("USER_CANCELLED", tr("pin.cancelled"));
        done += static_cast<std::size_t>(n);
    }
}

bool PinentryClient::readLine(Line& line) {
    for (auto& c : line) c = 0;
    line.clear();
    for (;;) {
        char c = 0;
        ssize_t n = ::read(fromChild_, &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        if (c == '\n') return true;
        if (line.size() >= kMaxLine)
            throw CliError("INTERNAL", tr("pinentry.protocol", {"pinentry"}));
        line.push_back(c);
    }
}

void PinentryClient::command(const std::string& text) {
    send(text);
    Line line;
    for (;;) {
        if (!readLine(line)) throw CliError("USER_CANCELLED", tr("pin.cancelled"));
        if (startsWith(line, "OK")) return;
        if (startsWith(line, "ERR")) throw CliError("INTERNAL", tr("pinentry.protocol", {text}));
        // Status ("S ") and comment ("#") lines are informational.
    }
}

pkcs11::Secret PinentryClient::getPin(const PromptText& text) {
    // A terminal pinentry needs to know which terminal to use: its stdin is our pipe.
    if (isatty(STDIN_FILENO)) {
        if (const char* tty = ttyname(STDIN_FILENO)) {
            try {
                command("OPTION ttyname=" + assuanEscape(tty));
                if (const char* term = std::getenv("TERM"))
                    command("OPTION ttytype=" + assuanEscape(term));
            } catch (const CliError&) {
                // Options are hints; a pinentry that refuses them may still work.
            }
        }
    }
    command("SETTITLE " + assuanEscape(text.title));
    command("SETDESC " + assuanEscape(text.description));
    command("SETPROMPT " + assuanEscape(text.prompt));
    send("GETPIN");

    pkcs11::Secret secret;
    Line line;
    for (;;) {
        if (!readLine(line)) throw CliError("USER_CANCELLED", tr("pin.cancelled"));
        if (startsWith(line, "D ")) {
            for (std::size_t i = 2; i < line.size(); ++i) {
                if (line[i] == '%' && i + 2 < line.size() && hexValue(line[i + 1]) >= 0 &&
                    hexValue(line[i + 2]) >= 0) {
                    secret.push_back(
                        static_cast<char>(hexValue(line[i + 1]) * 16 + hexValue(line[i + 2])));
                    i += 2;
                } else {
                    secret.push_back(line[i]);
                }
            }
        } else if (startsWith(line, "OK")) {
            break;
        } else if (startsWith(line, "ERR")) {
            // An ERR line carries no secret, so a plain copy is fine to parse it.
            std::string head(line.begin(), line.end());
            unsigned long code = std::strtoul(head.c_str() + 3, nullptr, 10);
            if ((code & 0xffff) == kGpgErrCanceled || (code & 0xffff) == kGpgErrTimeout)
                throw CliError("USER_CANCELLED", tr("pin.cancelled"));
            throw CliError("INTERNAL", tr("pinentry.protocol", {"GETPIN"}));
        }
    }
    if (secret.empty()) throw CliError("INVALID_PARAMS", tr("pin.empty"));
    return secret;
}

}  // namespace firmante::cli
