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

#include "Closable.h"
#include "SocketOwner.h"
#include "firmante/agent/Limits.h"
#include "firmante/websocket/WebSocketServer.h"  // the agent's classes it refers to
#include "firmante/websocket/WebSocketSettings.h"

namespace firmante::websocket {

/// The server's io_context, with a way to destroy the handlers still queued in it while the
/// ServerState that owns it lives on.
class IoContext : public boost::asio::io_context {
  public:
    using boost::asio::io_context::io_context;
    /// Destroys every pending handler (the listeners' accepts, timers, reads). Each may hold a
    /// Listener or a session and, through it, the ServerState that owns this io_context: left
    /// queued after io.stop(), that cycle would outlive the server (LeakSanitizer reports it
    /// at exit). Call only once run() has returned for good; nothing may run on it afterwards.
    void destroyPendingHandlers() { shutdown(); }
};

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

    /// Takes one of the places for connections waiting for the person's consent (a quarter of
    /// the connection cap): waiting pages can never fill every slot and lock out allowed ones.
    bool tryTakeConsentPlace() noexcept;
    void releaseConsentPlace() noexcept { --consentWaiters_; }

    /// True when a line about `what` may be logged now: at most one a second for each, so a
    /// flood or a descriptor shortage cannot fill the log. `suppressed` gets how many were not.
    bool mayLog(const std::string& what, std::size_t& suppressed);

    std::uint64_t nextConnectionId() noexcept { return nextId_++; }

    IoContext io{1};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{
        io.get_executor()};
    boost::asio::steady_timer drainTimer{io};
    agent::Dispatcher& dispatcher;
    agent::ConnectionHub& hub;
    agent::OriginPolicy& origins;
    const agent::Limits limits;
    const WebSocketSettings settings;
    PeerUidLookup peerUid;  // opened at start: works at the descriptor limit too
    std::atomic<std::uint16_t> port{0};
    std::atomic<bool> stopping{false};

  private:
    std::atomic<std::size_t> slots_{0};
    std::atomic<std::size_t> consentWaiters_{0};
    // Unix-socket connection ids count from 1; these stay apart so log lines are unambiguous.
    std::atomic<std::uint64_t> nextId_{1'000'001};
    std::mutex mutex_;
    std::vector<std::weak_ptr<Closable>> connections_;
    struct LogBudget {
        std::chrono::steady_clock::time_point last;
        std::size_t suppressed = 0;
    };
    std::map<std::string, LogBudget> logBudgets_;
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
