#include "Listener.h"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "HttpSession.h"
#include "ServerState.h"
#include "firmante/agent/Logging.h"

namespace firmante::websocket {

namespace net = boost::asio;
using tcp = net::ip::tcp;

Listener::Listener(std::shared_ptr<ServerState> state, const tcp::endpoint& endpoint)
    : state_(std::move(state)), acceptor_(net::make_strand(state_->io)) {
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
            try {
                if (ec) {
                    if (ec == net::error::operation_aborted || !self->acceptor_.is_open()) return;
                    agent::logger("websocket")->warn("accept failed: {}", ec.message());
                } else if (self->state_->stopping) {
                    boost::system::error_code ignored;
                    socket.close(ignored);
                } else if (self->state_->tryTakeSlot()) {
                    auto session = std::make_shared<HttpSession>(std::move(socket), self->state_,
                                                                 ConnectionSlot(self->state_));
                    self->state_->track(session);
                    session->run();
                } else {
                    agent::logger("websocket")
                        ->warn("{} connections open already; refusing one",
                               self->state_->settings.maxConnections);
                    auto session = std::make_shared<HttpSession>(std::move(socket), self->state_,
                                                                 ConnectionSlot());
                    self->state_->track(session);
                    session->refuseBusy();
                }
            } catch (const std::exception& e) {
                agent::logger("websocket")->error("cannot take a connection: {}", e.what());
            }
            if (self->acceptor_.is_open()) self->accept();
        });
}

}  // namespace firmante::websocket
