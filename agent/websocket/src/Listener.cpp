#include "Listener.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "HttpSession.h"
#include "ServerState.h"
#include "SocketOwner.h"
#include "firmante/agent/Logging.h"

namespace firmante::websocket {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::chrono::milliseconds kFirstPause{50};
constexpr std::chrono::milliseconds kLongestPause{1000};

bool outOfDescriptors(const boost::system::error_code& ec) {
    // EMFILE (ours), ENFILE (the system's), ENOBUFS/ENOMEM: the pending connection stays in the
    // backlog, so accepting again at once fails again at once — a busy loop.
    return ec == net::error::no_descriptors || ec.value() == ENFILE ||
           ec == net::error::no_buffer_space || ec == net::error::no_memory;
}

}  // namespace

Listener::Listener(std::shared_ptr<ServerState> state, const tcp::endpoint& endpoint)
    : state_(std::move(state)),
      acceptor_(net::make_strand(state_->io)),
      pause_(acceptor_.get_executor()) {
    acceptor_.open(endpoint.protocol());
    // Lets a restarted agent take its port back while old connections sit in TIME_WAIT; on
    // Linux it does not let two listeners share the port.
    acceptor_.set_option(net::socket_base::reuse_address(true));
    if (endpoint.address().is_v6()) acceptor_.set_option(net::ip::v6_only(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
}

void Listener::run() {
    accept();
}

void Listener::stop() noexcept {
    try {
        net::post(acceptor_.get_executor(), [self = shared_from_this()] {
            boost::system::error_code ignored;
            self->pause_.cancel();
            self->acceptor_.close(ignored);
        });
    } catch (...) {
        // Nothing to do: the io_context is going away with the acceptor.
    }
}

void Listener::accept() {
    // One strand per connection (Beast's chat-multi): its handlers never run concurrently.
    acceptor_.async_accept(
        net::make_strand(state_->io),
        [self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
            self->onAccept(ec, std::move(socket));
        });
}

void Listener::onAccept(const boost::system::error_code& ec, tcp::socket socket) {
    auto log = agent::logger("websocket");
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec && outOfDescriptors(ec)) {
        backOff(ec);
        return;
    }
    if (backoff_.count() != 0) {
        backoff_ = {};
        log->info("accepting connections again");
    }
    try {
        std::size_t suppressed = 0;
        if (ec) {
            if (state_->mayLog("accept", suppressed)) {
                log->warn("accept failed: {} ({} more not logged)", ec.message(), suppressed);
            }
        } else {
            take(std::move(socket));
        }
    } catch (const std::exception& e) {
        log->error("cannot take a connection: {}", e.what());
    }
    accept();
}

void Listener::take(tcp::socket socket) {
    auto log = agent::logger("websocket");
    std::size_t suppressed = 0;
    boost::system::error_code ignored;
    if (state_->stopping) {
        socket.close(ignored);
        return;
    }
    // Closed before anything is read: a connection past the cap costs a descriptor for the
    // time of this handler only.
    if (!state_->tryTakeSlot()) {
        if (state_->mayLog("cap", suppressed)) {
            log->warn("{} connections open already; closing new ones at once ({} more not logged)",
                      state_->settings.maxConnections, suppressed);
        }
        socket.close(ignored);
        return;
    }
    ConnectionSlot slot(state_);
    if (!ownUser(socket)) {
        socket.close(ignored);
        return;
    }
    auto session = std::make_shared<HttpSession>(std::move(socket), state_, std::move(slot));
    state_->track(session);
    session->run();
}

bool Listener::ownUser(tcp::socket& socket) {
    // DESIGN §3: only the person's own processes reach the agent. Another local user could
    // otherwise forge the Origin of an allowed site; the kernel knows whose socket this is.
    boost::system::error_code ec;
    const auto local = socket.local_endpoint(ec);
    const auto remote = ec ? tcp::endpoint() : socket.remote_endpoint(ec);
    const auto uid = ec ? std::nullopt : state_->peerUid(local, remote);
    if (uid && *uid == ::geteuid()) return true;
    std::size_t suppressed = 0;
    if (state_->mayLog("uid", suppressed)) {
        if (uid) {
            agent::logger("websocket")
                ->warn(
                    "connection from uid {} refused before the upgrade: only uid {} may use "
                    "this agent ({} more not logged)",
                    *uid, ::geteuid(), suppressed);
        } else {
            agent::logger("websocket")
                ->warn(
                    "connection refused: the kernel cannot tell whose it is ({} more not "
                    "logged)",
                    suppressed);
        }
    }
    return false;
}

void Listener::backOff(const boost::system::error_code& ec) {
    if (backoff_.count() == 0) {
        agent::logger("websocket")
            ->error("cannot accept connections: {}; trying again in up to {} ms", ec.message(),
                    kLongestPause.count());
        backoff_ = kFirstPause;
    } else {
        backoff_ = std::min(backoff_ * 2, kLongestPause);
    }
    pause_.expires_after(backoff_);
    pause_.async_wait([self = shared_from_this()](const boost::system::error_code& waited) {
        if (!waited && self->acceptor_.is_open()) self->accept();
    });
}

}  // namespace firmante::websocket
