#include "AssuanPipe.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "PromptProcess.h"
#include "firmante/pkcs11/Error.h"

namespace firmante::prompt {

namespace {

// Assuan lines are at most 1000 bytes; a pinentry that sends more is broken or hostile.
constexpr std::size_t kMaxLine = 4096;

[[noreturn]] void fail(const std::string& message) {
    throw pkcs11::Error(pkcs11::Reason::Internal, message);
}

bool executable(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

// Resolves the program like execvp would, so that a missing one is reported before anything
// runs, with the name the person configured.
std::string resolve(const std::string& program) {
    if (program.empty()) fail("FIRMANTE_PINENTRY is empty");
    if (program.find('/') != std::string::npos)
        return executable(program) ? program : std::string();
    const char* path = std::getenv("PATH");
    std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    while (!dirs.empty()) {
        const auto colon = dirs.find(':');
        const std::string_view dir = dirs.substr(0, colon);
        dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
        std::string candidate(dir.empty() ? std::string_view(".") : dir);
        candidate += "/";
        candidate += program;
        if (executable(candidate)) return candidate;
    }
    return {};
}

}  // namespace

AssuanPipe::AssuanPipe(const std::string& program, std::chrono::seconds timeout)
    : program_(program), deadline_(std::chrono::steady_clock::now() + timeout) {
    const std::string resolved = resolve(program);
    if (resolved.empty()) {
        fail("No se encontró el programa de PIN «" + program +
             "» (FIRMANTE_PINENTRY); instale pinentry-tty o pinentry-gnome3. / The pinentry "
             "program '" +
             program +
             "' was not found (FIRMANTE_PINENTRY); install pinentry-tty "
             "or pinentry-gnome3.");
    }
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0) fail("pipe failed");
    if (::pipe2(out, O_CLOEXEC) != 0) {
        ::close(in[0]);
        ::close(in[1]);
        fail("pipe failed");
    }
    toChild_ = in[1];
    fromChild_ = out[0];
    try {
        pid_ = startPromptProcess(resolved, in[0], out[1]);
    } catch (...) {
        for (int fd : {in[0], out[1], toChild_, fromChild_}) ::close(fd);
        throw;
    }
    ::close(in[0]);
    ::close(out[1]);
    try {
        const Status greeting = readResponse({});
        if (!greeting.ok) fail("pinentry '" + program + "' did not greet: " + greeting.message);
    } catch (...) {
        // The destructor does not run for a half-built object: end and reap the child here, or
        // a program that fails at start leaves a zombie and two descriptors per question.
        finish();
        throw;
    }
}

AssuanPipe::~AssuanPipe() {
    finish();
}

void AssuanPipe::finish() noexcept {
    if (toChild_ >= 0) {
        // BYE is polite; closing stdin alone also makes every pinentry exit.
        constexpr std::string_view bye = "BYE\n";
        [[maybe_unused]] auto n = ::write(toChild_, bye.data(), bye.size());
        ::close(toChild_);
        toChild_ = -1;
    }
    // A second at most for it to leave on its own, then SIGKILL; always reaped.
    endPromptProcess(pid_, fromChild_, 1000);
    pid_ = -1;
    if (fromChild_ >= 0) ::close(fromChild_);
    fromChild_ = -1;
}

void AssuanPipe::writeAll(std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(toChild_, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("pinentry '" + program_ + "' stopped reading: " + std::strerror(errno));
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

AssuanPipe::Line AssuanPipe::readLine() {
    for (;;) {
        const auto nl = std::find(buffer_.begin(), buffer_.end(), '\n');
        if (nl != buffer_.end()) {
            Line line(buffer_.begin(), nl);
            buffer_.erase(buffer_.begin(), nl + 1);
            return line;
        }
        if (buffer_.size() > kMaxLine) fail("pinentry sent an overlong line");
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline_) fail("pinentry '" + program_ + "' did not answer in time");
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - now).count();
        pollfd pfd{fromChild_, POLLIN, 0};
        const int r = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left, 60'000)));
        if (r < 0 && errno != EINTR) fail("poll failed");
        if (r <= 0) continue;
        char chunk[512];
        const ssize_t n = ::read(fromChild_, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("pinentry '" + program_ + "' ended unexpectedly");
        buffer_.insert(buffer_.end(), chunk, chunk + n);
        pkcs11::secureWipe(chunk, sizeof chunk);
    }
}

AssuanPipe::Status AssuanPipe::command(std::string_view line, const DataSink& data) {
    std::string out(line);
    out.push_back('\n');
    writeAll(out);
    return readResponse(data);
}

AssuanPipe::Status AssuanPipe::readResponse(const DataSink& data) {
    for (;;) {
        Line line = readLine();
        std::string_view text(line.data(), line.size());
        if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
        if (text == "OK" || text.starts_with("OK ")) return Status{true, 0, {}};
        if (text.starts_with("ERR")) {
            Status status;
            std::string_view rest = text.substr(3);
            while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
            status.code =
                std::strtoul(std::string(rest.substr(0, rest.find(' '))).c_str(), nullptr, 10);
            const auto space = rest.find(' ');
            if (space != std::string_view::npos)
                status.message = std::string(rest.substr(space + 1));
            return status;
        }
        if (text.starts_with("D ")) {
            if (data) data(text.substr(2));
            continue;
        }
        if (text.starts_with("INQUIRE")) {
            // pinentry never needs data from us; refuse so it does not wait forever.
            writeAll("CAN\n");
            continue;
        }
        // "S" status lines and "#" comments carry nothing we act on.
    }
}

}  // namespace firmante::prompt
