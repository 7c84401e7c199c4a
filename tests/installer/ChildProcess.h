#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace firmante::installer::test {

/// A program running beside the test (posix_spawn, the test's environment plus `env`, output to
/// `logPath`), killed with SIGKILL if still running when this goes away.
class ChildProcess {
  public:
    ChildProcess(const std::vector<std::string>& argv,
                 const std::map<std::string, std::string>& env, const std::string& logPath);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const noexcept { return pid_; }
    /// Sends `signal` and reaps the process; returns its wait status.
    int stop(int signal);

  private:
    pid_t pid_ = -1;
};

}  // namespace firmante::installer::test
