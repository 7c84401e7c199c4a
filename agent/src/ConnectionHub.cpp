#include "firmante/agent/ConnectionHub.h"

#include <algorithm>

namespace firmante::agent {

void ConnectionHub::add(const std::weak_ptr<Connection>& connection) {
    std::lock_guard lock(mutex_);
    // Forget closed connections here too: notifications are rare, connections are not.
    std::erase_if(connections_, [](const auto& weak) { return weak.expired(); });
    connections_.push_back(connection);
}

void ConnectionHub::broadcast(const std::string& json) {
    std::vector<std::shared_ptr<Connection>> alive;
    {
        std::lock_guard lock(mutex_);
        std::erase_if(connections_, [](const auto& weak) { return weak.expired(); });
        for (const auto& weak : connections_) {
            if (auto c = weak.lock()) alive.push_back(std::move(c));
        }
    }
    for (const auto& c : alive) c->sendNotification(json);
}

}  // namespace firmante::agent
