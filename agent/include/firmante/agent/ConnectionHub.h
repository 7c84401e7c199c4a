#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "firmante/agent/Connection.h"

namespace firmante::agent {

/// Every live connection of every transport, for pushing notifications (`tokens.changed`).
class ConnectionHub {
  public:
    void add(const std::weak_ptr<Connection>& connection);
    /// Sends to every connection still alive and forgets the dead ones.
    void broadcast(const std::string& json);

  private:
    std::mutex mutex_;
    std::vector<std::weak_ptr<Connection>> connections_;
};

}  // namespace firmante::agent
