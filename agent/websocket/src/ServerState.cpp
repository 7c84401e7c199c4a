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

bool ServerState::tryTakeConsentPlace() noexcept {
    const std::size_t places = std::max<std::size_t>(1, settings.maxConnections / 4);
    auto waiting = consentWaiters_.load();
    do {
        if (waiting >= places) return false;
    } while (!consentWaiters_.compare_exchange_weak(waiting, waiting + 1));
    return true;
}

bool ServerState::mayLog(const std::string& what, std::size_t& suppressed) {
    std::lock_guard lock(mutex_);
    auto& budget = logBudgets_[what];
    const auto now = std::chrono::steady_clock::now();
    if (budget.last != std::chrono::steady_clock::time_point{} &&
        now - budget.last < std::chrono::seconds(1)) {
        ++budget.suppressed;
        return false;
    }
    budget.last = now;
    suppressed = budget.suppressed;
    budget.suppressed = 0;
    return true;
}

}  // namespace firmante::websocket
