#include "ServerState.h"

#include <algorithm>

#include <boost/asio/post.hpp>

namespace firmante::websocket {

ServerState::ServerState(agent::Dispatcher& dispatcher_, agent::ConnectionHub& hub_,
                         agent::OriginPolicy& origins_, agent::Limits limits_,
                         WebSocketSettings settings_)
    : dispatcher(dispatcher_), hub(hub_), origins(origins_), limits(limits_), settings(settings_) {}

bool ServerState::tryTakeSlot() noexcept {
    auto open = slots_.load();
    do {
        if (open >= settings.maxConnections) return false;
    } while (!slots_.compare_exchange_weak(open, open + 1));
    return true;
}

void ServerState::releaseSlot() noexcept {
    if (slots_.fetch_sub(1) == 1 && stopping) {
        try {
            boost::asio::post(io, [this] { drainTimer.cancel(); });
        } catch (...) {
            // The drain timer still ends the wait.
        }
    }
}

void ServerState::track(const std::weak_ptr<Closable>& connection) {
    std::lock_guard lock(mutex_);
    std::erase_if(connections_, [](const auto& c) { return c.expired(); });
    connections_.push_back(connection);
}

void ServerState::closeAll() noexcept {
    std::vector<std::weak_ptr<Closable>> all;
    {
        std::lock_guard lock(mutex_);
        all.swap(connections_);
    }
    for (auto& weak : all) {
        if (auto c = weak.lock()) c->shutdown();
    }
}

bool ServerState::recentlyRefused(const std::string& origin) {
    std::lock_guard lock(mutex_);
    const auto it = refusals_.find(origin);
    if (it == refusals_.end()) return false;
    if (std::chrono::steady_clock::now() - it->second < settings.refusalMemory) return true;
    refusals_.erase(it);
    return false;
}

void ServerState::rememberRefusal(const std::string& origin) {
    std::lock_guard lock(mutex_);
    // Bounded: a flood of distinct refused origins only ever costs this much memory.
    if (refusals_.size() >= 1024) refusals_.clear();
    refusals_[origin] = std::chrono::steady_clock::now();
}

}  // namespace firmante::websocket
