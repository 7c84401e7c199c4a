#pragma once

#include <filesystem>

namespace firmante::agent {

/// One agent per user: an exclusive flock on a file next to the socket, held for the agent's
/// lifetime. The kernel drops it when the process dies, so a crash never leaves a stale lock.
class InstanceLock {
  public:
    /// Throws AlreadyRunning when another process holds the lock, std::runtime_error otherwise.
    explicit InstanceLock(const std::filesystem::path& path);
    ~InstanceLock();
    InstanceLock(const InstanceLock&) = delete;
    InstanceLock& operator=(const InstanceLock&) = delete;

    struct AlreadyRunning {};

  private:
    int fd_ = -1;
};

}  // namespace firmante::agent
