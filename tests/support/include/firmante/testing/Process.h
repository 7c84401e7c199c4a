#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace firmante::testing {

struct ProcessResult {
    int exitCode = -1;  // -1 when killed by a signal
    std::string out;
    std::string err;
};

/// Runs a program (no shell) with `input` on stdin, waiting for it to end; extra environment
/// variables are added to the test's own. Throws std::runtime_error if it cannot start.
ProcessResult run(const std::vector<std::string>& argv, const std::string& input = {},
                  const std::map<std::string, std::string>& env = {});

/// A program running beside the test (posix_spawnp, no shell): stdin from /dev/null, stdout and
/// stderr appended to files (the same file for both is fine), the test's environment plus `env`.
/// Killed with SIGKILL and reaped if it still runs when this goes away.
class Child {
  public:
    Child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
          const std::filesystem::path& stdoutPath, const std::filesystem::path& stderrPath);
    ~Child();
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const noexcept { return pid_; }
    bool running() const noexcept { return pid_ > 0; }
    /// Sends `signal`, waits up to `grace` for the end, then SIGKILL. Returns the wait status
    /// (-1 when it had already ended).
    int stop(int signal, std::chrono::milliseconds grace = std::chrono::seconds(15));
    /// Waits up to `limit` for the program to end by itself. Returns the wait status, or
    /// nullopt when it still runs.
    std::optional<int> waitForExit(std::chrono::milliseconds limit);

    /// Polls `ready` every 20 ms while the program runs, up to `limit` (start-up time varies
    /// with the load). When the program ends first, or `ready` never holds (the program is then
    /// killed), throws std::runtime_error naming `what` with the text of `log`.
    void waitUntil(const std::function<bool()>& ready, const std::string& what,
                   const std::filesystem::path& log,
                   std::chrono::milliseconds limit = std::chrono::seconds(20));

  private:
    pid_t pid_ = -1;
};

/// True when something accepts connections on the Unix socket `path` now.
bool acceptsConnections(const std::filesystem::path& path);

/// Writes a file (binary).
void writeFile(const std::string& path, const std::string& bytes);
/// Reads a whole file (binary); throws when missing.
std::string readFile(const std::string& path);

}  // namespace firmante::testing
