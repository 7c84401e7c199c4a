#include "WebSocketSession.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/error.hpp>

#include "firmante/agent/ConnectionHub.h"
#include "firmante/agent/Logging.h"

namespace firmante::websocket {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

WebSocketSession::WebSocketSession(net::ip::tcp::socket socket, std::shared_ptr<ServerState> state,
                                   ConnectionSlot slot, std::uint64_t id, std::string origin)
    : SessionQueue(socket.get_executor(), "websocket", id, state->limits.maxInFlightPerConnection),
      ws_(std::move(socket)),
      state_(std::move(state)),
      slot_(std::move(slot)) {
    context_.kind = agent::ConnectionContext::Kind::WebSocket;
    context_.id = id;
    context_.client = "websocket";
    context_.origin = std::move(origin);
}

void WebSocketSession::run(UpgradeRequest request, std::string early) {
    ws_.next_layer().putBack(std::move(early));
    websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = state_->settings.handshakeTimeout;
    timeout.idle_timeout = state_->settings.idleTimeout;
    // A browser answers pings by itself: a live page stays, a vanished peer is noticed.
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
        response.set(beast::http::field::server, "firmante-agent");
    }));
    // The agent's frame limit, checked by Beast before the payload is buffered; permessage-deflate
    // stays off (Beast's default), so there is no compression bomb to inflate.
    ws_.read_message_max(state_->limits.maxFrameBytes);
    ws_.auto_fragment(false);
    ws_.text(true);
    ws_.async_accept(request,
                     [self = selfAs<WebSocketSession>()](const boost::system::error_code& ec) {
                         self->guarded([&] { self->onAccept(ec); });
                     });
}

void WebSocketSession::onAccept(const boost::system::error_code& ec) {
    if (ec) {
        agent::logger("websocket")
            ->info("connection {}: handshake failed: {}", context_.id, ec.message());
        return;
    }
    if (closing_) {
        closeWith(websocket::close_code::going_away);
        return;
    }
    state_->hub.add(weak_from_this());
    readNext();
    openForWrites();
}

void WebSocketSession::readNext() {
    ws_.async_read(buffer_, [self = selfAs<WebSocketSession>()](const boost::system::error_code& ec,
                                                                std::size_t) {
        self->guarded([&] { self->onRead(ec); });
    });
}

void WebSocketSession::onRead(const boost::system::error_code& ec) {
    auto log = agent::logger("websocket");
    if (ec) {
        closeQueue();
        if (ec == websocket::error::message_too_big) {
            // Beast has already sent close code 1009 (too big) and tears the connection down.
            log->warn("connection {}: message above {} bytes; closed", context_.id,
                      state_->limits.maxFrameBytes);
        } else if (ec == websocket::error::closed) {
            log->info("connection {} closed by the client", context_.id);
        } else {
            log->info("connection {} ended: {}", context_.id, ec.message());
        }
        return;
    }
    if (!ws_.got_text()) {
        buffer_.clear();
        log->warn("connection {}: binary message; closed", context_.id);
        closeWith(websocket::close_code::unknown_data);
        return;
    }
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.clear();
    dispatch(state_->dispatcher, text, context_);
    if (!closing_) readNext();
}

void WebSocketSession::startWrite(const std::string& bytes, WriteDone done) {
    ws_.async_write(
        net::buffer(bytes),
        [done = std::move(done)](const boost::system::error_code& ec, std::size_t) { done(ec); });
}

void WebSocketSession::closeSlowReader() {
    agent::logger("websocket")
        ->warn("connection {} does not read its answers; closing", context_.id);
    closeWith(websocket::close_code::policy_error);
}

void WebSocketSession::shutdown() noexcept {
    try {
        net::post(ws_.get_executor(), [self = selfAs<WebSocketSession>()] {
            self->guarded([&] {
                if (!self->writesOpen()) {
                    // Still in the handshake: onAccept sees closing_ and closes.
                    self->closing_ = true;
                    self->closeQueue();
                    return;
                }
                self->closeWith(websocket::close_code::going_away);
            });
        });
    } catch (...) {
        // The io_context is stopping; the socket closes with it.
    }
}

void WebSocketSession::closeWith(websocket::close_code code) {
    if (closeSent_) return;
    closeSent_ = true;
    closing_ = true;
    closeQueue();
    // Beast queues the close frame behind a write in flight (one writer at a time), and the
    // pending read then ends with `closed`.
    ws_.async_close(code, [self = selfAs<WebSocketSession>()](const boost::system::error_code&) {});
}

}  // namespace firmante::websocket
