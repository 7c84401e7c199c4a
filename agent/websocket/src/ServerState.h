#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "Closable.h"
#include "firmante/agent/Limits.h"
#include "firmante/websocket/WebSocketSettings.h"

namespace firmante::agent {
class Dispatcher;
class ConnectionHub;
class OriginPolicy;
}  // namespace firmante::agent

namespace firmante::websocket {

/// What every listener and session of one WebSocketServer shares. Held by shared_ptr so that a
/// handler still queued when the server stops finds it alive.
class ServerState {
  public:
    ServerState(agent::Dispatcher& dispatcher, agent::ConnectionHub& hub,
                agent::OriginPolicy& origins, agent::Limits limits, WebSocketSettings settings);

    /// Takes a connection slot; false when maxConnections are open already.
    bool tryTakeSlot() noexcept;
    std::size_t openSlots() const noexcept { return slots_.load(); }
    /// Gives a slot back; the last one during a stop ends the drain wait.
    void releaseSlot() noexcept;

    /// Remembers a connection so that stop() can close it.
    void track(const std::weak_ptr<Closable>& connection);
    /// Closes every tracked connection (each on its own strand).
    void closeAll() noexcept;

    /// The person refused this origin a short while ago: refuse without asking again.
    bool recentlyRefused(const std::string& origin);
    void rememberRefusal(const std::string& origin);

    std::uint64_t nextConnectionId() noexcept { return nextId_++; }

    boost::asio::io_context io{1};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{
        io.get_executor()};
    boost::asio::steady_timer drainTimer{io};
    boost::asio::thread_pool consent{1};  // origin questions block: never on the I/O thread
    agent::Dispatcher& dispatcher;
    agent::ConnectionHub& hub;
    agent::OriginPolicy& origins;
    const agent::Limits limits;
    const WebSocketSettings settings;
    std::atomic<std::uint16_t> port{0};
    std::atomic<bool> stopping{false};

  private:
    std::atomic<std::size_t> slots_{0};
    // Unix-socket connection ids count from 1; these stay apart so log lines are unambiguous.
    std::atomic<std::uint64_t> nextId_{1'000'001};
    std::mutex mutex_;
    std::vector<std::weak_ptr<Closable>> connections_;
    std::map<std::string, std::chrono::steady_clock::time_point> refusals_;
};

/// One of ServerState's connection slots, given back when this goes away.
class ConnectionSlot {
  public:
    ConnectionSlot() = default;
    explicit ConnectionSlot(std::shared_ptr<ServerState> state) : state_(std::move(state)) {}
    ConnectionSlot(ConnectionSlot&& other) noexcept : state_(std::move(other.state_)) {}
    ConnectionSlot& operator=(ConnectionSlot&& other) noexcept {
        if (this != &other) {
            reset();
            state_ = std::move(other.state_);
        }
        return *this;
    }
    ConnectionSlot(const ConnectionSlot&) = delete;
    ConnectionSlot& operator=(const ConnectionSlot&) = delete;
    ~ConnectionSlot() { reset(); }

  private:
    void reset() noexcept {
        if (state_) state_->releaseSlot();
        state_.reset();
    }
    std::shared_ptr<ServerState> state_;
};

}  // namespace firmante::websocket
