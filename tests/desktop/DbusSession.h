#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "firmante/testing/Process.h"

extern char** environ;

namespace firmante::testing {

/// A program beside the test whose stdout the test reads line by line (stderr to a file),
/// waiting for a line with a deadline instead of sleeping. SIGTERM and reaped when it goes away.
class LineChild {
  public:
    LineChild(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
              const std::filesystem::path& stderrPath) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
        std::vector<std::string> envStrings;
        for (char** e = environ; *e; ++e) {
            const std::string entry = *e;
            const auto name = entry.substr(0, entry.find('='));
            if (!env.count(name)) envStrings.push_back(entry);
        }
        for (const auto& [k, v] : env) envStrings.push_back(k + "=" + v);
        std::vector<char*> envp, args;
        for (auto& s : envStrings) envp.push_back(s.data());
        envp.push_back(nullptr);
        std::vector<std::string> argStrings = argv;
        for (auto& s : argStrings) args.push_back(s.data());
        args.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath.c_str(),
                                         O_WRONLY | O_CREAT | O_APPEND, 0600);
        const int rc = ::posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        ::close(fds[1]);
        out_ = fds[0];
        if (rc != 0) {
            ::close(out_);
            throw std::runtime_error("cannot start " + argv.at(0));
        }
    }
    ~LineChild() {
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, nullptr, 0);
        ::close(out_);
    }
    LineChild(const LineChild&) = delete;
    LineChild& operator=(const LineChild&) = delete;

    /// The first line not read before for which `wanted` holds, waiting for the program to print
    /// it (up to `limit`); "" when it ends, or the deadline passes, first. Lines skipped on the
    /// way stay in lines().
    std::string waitForLine(const std::function<bool(const std::string&)>& wanted,
                            std::chrono::milliseconds limit = std::chrono::seconds(30)) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        for (;;) {
            while (next_ < lines_.size()) {
                const auto& line = lines_[next_++];
                if (wanted(line)) return line;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0 || !readSome(static_cast<int>(left.count()))) return {};
        }
    }
    /// Reads what the program printed so far, without waiting.
    void drain() {
        while (readSome(0)) {
        }
    }
    /// Every line read so far.
    const std::vector<std::string>& lines() const noexcept { return lines_; }

  private:
    // True when something was read (a line may still be incomplete).
    bool readSome(int timeoutMs) {
        pollfd p{out_, POLLIN, 0};
        if (::poll(&p, 1, timeoutMs) <= 0) return false;
        char buffer[4096];
        const ssize_t n = ::read(out_, buffer, sizeof buffer);
        if (n <= 0) return false;
        partial_.append(buffer, static_cast<std::size_t>(n));
        for (std::size_t end; (end = partial_.find('\n')) != std::string::npos;) {
            lines_.push_back(partial_.substr(0, end));
            partial_.erase(0, end + 1);
        }
        return true;
    }

    pid_t pid_ = -1;
    int out_ = -1;
    std::string partial_;
    std::vector<std::string> lines_;
    std::size_t next_ = 0;
};

/// A private D-Bus session bus in `dir`: its own configuration (no service activation, so no
/// program of this machine answers on it), its socket in `dir`.
class DbusSession {
  public:
    explicit DbusSession(const std::filesystem::path& dir) {
        const auto config = dir / "session-bus.conf";
        writeFile(config.string(),
                  "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration "
                  "1.0//EN\"\n \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                  "<busconfig>\n  <type>session</type>\n  <listen>unix:dir=" +
                      dir.string() +
                      "</listen>\n  <auth>EXTERNAL</auth>\n"
                      "  <policy context=\"default\">\n"
                      "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
                      "    <allow eavesdrop=\"true\"/>\n"
                      "    <allow own=\"*\"/>\n  </policy>\n</busconfig>\n");
        daemon_.emplace(std::vector<std::string>{"dbus-daemon", "--config-file=" + config.string(),
                                                 "--nofork", "--nopidfile", "--print-address=1"},
                        std::map<std::string, std::string>{}, dir / "dbus-daemon.err");
        address_ = daemon_->waitForLine([](const std::string& l) { return !l.empty(); });
        if (address_.empty()) throw std::runtime_error("dbus-daemon did not start");
    }
    const std::string& address() const noexcept { return address_; }

  private:
    std::optional<LineChild> daemon_;
    std::string address_;
};

/// True when `program` is found on PATH.
inline bool onPath(const std::string& program) {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    for (std::size_t at = 0;;) {
        const auto end = dirs.find(':', at);
        const auto dir = dirs.substr(at, end == std::string::npos ? std::string::npos : end - at);
        if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
        if (end == std::string::npos) return false;
        at = end + 1;
    }
}

}  // namespace firmante::testing
