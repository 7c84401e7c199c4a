#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firmante/nm/FrameDecoder.h"

namespace firmante::nmtest {

/// firmante-nmhost started the way a browser starts it: argv from the test, stdin and stdout on
/// pipes held by the test, stderr inherited (its log shows in the test output).
class RelayProcess {
  public:
    RelayProcess(const std::string& program, const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env);
    ~RelayProcess();
    RelayProcess(const RelayProcess&) = delete;
    RelayProcess& operator=(const RelayProcess&) = delete;

    /// Writes raw bytes to the relay's stdin (a frame, or a bare header).
    void writeRaw(std::string_view bytes);
    void writeFrame(std::string_view json);
    void closeStdin();

    /// The next frame from the relay's stdout, or nothing if none arrives in time or stdout
    /// closes first.
    std::optional<std::string> readFrame(std::chrono::milliseconds timeout);
    /// True if stdout reaches end of stream (without another frame) within the timeout.
    bool stdoutClosed(std::chrono::milliseconds timeout);

    /// The exit status once the relay ends within the timeout (-1 if killed by a signal),
    /// nothing otherwise. Also fills `usage()` with the child's own resource usage.
    std::optional<int> waitExit(std::chrono::milliseconds timeout);
    const rusage& usage() const { return usage_; }
    pid_t pid() const { return pid_; }

  private:
    pid_t pid_ = -1;
    int pidFd_ = -1;
    int stdin_ = -1;
    int stdout_ = -1;
    std::optional<int> exitStatus_;
    rusage usage_{};
    nm::FrameDecoder decoder_{64u * 1024 * 1024};
};

}  // namespace firmante::nmtest
