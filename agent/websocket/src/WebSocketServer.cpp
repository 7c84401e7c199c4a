#include "firmante/websocket/WebSocketServer.h"

#include <unistd.h>

#include <stdexcept>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include "Listener.h"
#include "ServerState.h"
#include "SocketOwner.h"
#include "firmante/agent/Logging.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::websocket {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Peers get this long to answer our close frame when the agent stops.
constexpr std::chrono::seconds kDrainTime{2};

}  // namespace

WebSocketServer::WebSocketServer(agent::Dispatcher& dispatcher, agent::ConnectionHub& hub,
                                 agent::OriginPolicy& origins, agent::Limits limits,
                                 WebSocketSettings settings)
    : state_(std::make_shared<ServerState>(dispatcher, hub, origins, limits, settings)) {}

WebSocketServer::~WebSocketServer() {
    stop();
}

void WebSocketServer::start() {
    if (started_) return;
    auto log = agent::logger("websocket");
    std::vector<std::shared_ptr<Listener>> listeners;
    // Loopback only (DESIGN §3 rule 3): never 0.0.0.0 or ::.
    try {
        listeners.push_back(std::make_shared<Listener>(
            state_, tcp::endpoint(net::ip::address_v4::loopback(), state_->settings.port)));
    } catch (const boost::system::system_error& e) {
        const auto port = state_->settings.port;
        std::string message =
            "cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + e.code().message();
        if (e.code() != net::error::address_in_use) {
            throw ListenError(protocol::words::ListenFailed, port, message);
        }
        // Pages that try this port reach that program, not us: say whose it is.
        if (const auto holder = loopbackListenerUid(port)) {
            message +=
                *holder == ::geteuid()
                    ? " (held by another program of this user, maybe a second agent)"
                    : " (held by a program of uid " + std::to_string(*holder) + ", another user)";
        }
        throw ListenError(protocol::words::PortInUse, port, message);
    }
    // The same port on ::1 (also when the system picked it for IPv4), so that a page may use
    // either loopback name.
    const std::uint16_t port = listeners.front()->port();
    state_->port = port;
    endpoints_ = {"127.0.0.1:" + std::to_string(port)};
    try {
        listeners.push_back(std::make_shared<Listener>(
            state_, tcp::endpoint(net::ip::address_v6::loopback(), port)));
        endpoints_.push_back("[::1]:" + std::to_string(port));
    } catch (const boost::system::system_error& e) {
        log->warn("IPv6 loopback [::1]:{} unavailable ({}); serving IPv4 only", port,
                  e.code().message());
    }
    for (auto& listener : listeners) listener->run();
    auto state = state_;
    thread_ = std::thread([state, listeners = std::move(listeners)]() mutable {
        for (;;) {
            try {
                state->io.run();
                break;
            } catch (const std::exception& e) {
                // Handlers catch their own; this is the last line so the transport stays up.
                agent::logger("websocket")->error("I/O thread: {}", e.what());
            }
        }
        // io.stop() left the accepts (and any session's last timer) queued, each holding what
        // holds `state`: destroy them, or state, io and listeners never go away.
        state->io.destroyPendingHandlers();
        listeners.clear();
    });
    started_ = true;
    for (const auto& endpoint : endpoints_) log->info("websocket listening on {}", endpoint);
}

void WebSocketServer::stop() noexcept {
    if (!started_) return;
    started_ = false;
    try {
        auto state = state_;
        state->stopping = true;
        net::post(state->io, [state] {
            state->closeAll();
            // The pending accepts keep io.run() going: it ends through io.stop(), at once when no
            // connection is open, else when the last slot is given back or the time is up.
            if (state->openSlots() == 0) {
                state->io.stop();
                return;
            }
            state->drainTimer.expires_after(kDrainTime);
            state->drainTimer.async_wait(
                [state](const boost::system::error_code&) { state->io.stop(); });
        });
        state->work.reset();
        if (thread_.joinable()) thread_.join();
        // Origin questions live in the OriginPolicy (shared with the other transports); their
        // late answers find the connections closed.
        agent::logger("websocket")->info("websocket stopped");
    } catch (const std::exception& e) {
        agent::logger("websocket")->error("stopping: {}", e.what());
    }
}

std::uint16_t WebSocketServer::port() const noexcept {
    return state_->port;
}

std::vector<std::string> WebSocketServer::endpoints() const {
    return endpoints_;
}

}  // namespace firmante::websocket
