#pragma once

#include <cstdint>
#include <string>

namespace firmante::agent {

/// A client connection as the notification side sees it, whatever the transport. SessionQueue
/// implements it for every session: the text is queued on the session's own I/O thread.
class Connection {
  public:
    virtual ~Connection() = default;
    /// Queues one JSON text (a notification). Thread-safe, never throws.
    virtual void sendNotification(const std::string& json) noexcept = 0;
};

}  // namespace firmante::agent
