#include "WebSocketSession.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/error.hpp>

#include "firmante/agent/ConnectionHub.h"
#include "firmante/agent/Dispatcher.h"
#include "firmante/agent/Logging.h"
#include "firmante/agent/RpcError.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::websocket {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

// A client that stops reading must not make us buffer without bound.
constexpr std::size_t kMaxQueuedBytes = 64u * 1024u * 1024u;

std::string dump(const nlohmann::json& value) {
    // Certificate subjects may hold bytes that are not UTF-8: replace rather than throw.
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Runs a handler body so that no exception reaches asio.
template <class F>
void guarded(std::uint64_t id, F&& body) noexcept {
    try {
        body();
    } catch (const std::exception& e) {
        agent::logger("websocket")->error("connection {}: {}", id, e.what());
    } catch (...) {
        agent::logger("websocket")->error("connection {}: unknown failure", id);
    }
}

}  // namespace

WebSocketSession::WebSocketSession(net::ip::tcp::socket socket, std::shared_ptr<ServerState> state,
                                   ConnectionSlot slot, std::uint64_t id, std::string origin)
    : ws_(std::move(socket)), state_(std::move(state)), slot_(std::move(slot)) {
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
    ws_.async_accept(request, [self = shared_from_this()](const boost::system::error_code& ec) {
        guarded(self->context_.id, [&] { self->onAccept(ec); });
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
    open_ = true;
    state_->hub.add(weak_from_this());
    readNext();
    writeNext();
}

void WebSocketSession::readNext() {
    ws_.async_read(buffer_,
                   [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                       guarded(self->context_.id, [&] { self->onRead(ec); });
                   });
}

void WebSocketSession::onRead(const boost::system::error_code& ec) {
    auto log = agent::logger("websocket");
    if (ec) {
        open_ = false;
        writes_.clear();
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
    onMessage(std::move(text));
    if (!closing_) readNext();
}

void WebSocketSession::onMessage(std::string text) {
    if (inFlight_ >= state_->limits.maxInFlightPerConnection) {
        send(agent::errorResponse(nullptr, agent::RpcError(protocol::words::Busy,
                                                           "too many requests in flight on this "
                                                           "connection; wait for answers")));
        return;
    }
    ++inFlight_;
    std::weak_ptr<WebSocketSession> weak = shared_from_this();
    auto executor = ws_.get_executor();
    state_->dispatcher.handle(text, context_, [weak, executor](nlohmann::json response) {
        // May run on a token worker: hop onto this connection's strand first.
        try {
            net::post(executor, [weak, response = std::move(response)]() {
                if (auto self = weak.lock()) {
                    guarded(self->context_.id, [&] {
                        --self->inFlight_;
                        self->send(response);
                    });
                }
            });
        } catch (...) {
            // Stopping; the client is being closed anyway.
        }
    });
}

void WebSocketSession::send(const nlohmann::json& response) {
    queueText(dump(response));
}

void WebSocketSession::sendNotification(const std::string& json) noexcept {
    try {
        net::post(ws_.get_executor(), [weak = weak_from_this(), json]() {
            if (auto self = weak.lock()) {
                guarded(self->context_.id, [&] { self->queueText(json); });
            }
        });
    } catch (...) {
        // Notifications are best effort; never let one take the agent down.
    }
}

void WebSocketSession::queueText(std::string text) {
    if (closing_) return;
    queuedBytes_ += text.size();
    if (queuedBytes_ > kMaxQueuedBytes) {
        agent::logger("websocket")
            ->warn("connection {} does not read its answers; closing", context_.id);
        writes_.clear();
        queuedBytes_ = 0;
        closeWith(websocket::close_code::policy_error);
        return;
    }
    writes_.push_back(std::move(text));
    if (open_ && !writing_) writeNext();
}

void WebSocketSession::writeNext() {
    if (writing_ || writes_.empty() || !open_ || closing_) return;
    writing_ = true;
    ws_.async_write(net::buffer(writes_.front()),
                    [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                        guarded(self->context_.id, [&] {
                            self->writing_ = false;
                            if (ec) {
                                self->open_ = false;
                                self->writes_.clear();
                                return;
                            }
                            self->queuedBytes_ -= self->writes_.front().size();
                            self->writes_.pop_front();
                            self->writeNext();
                        });
                    });
}

void WebSocketSession::shutdown() noexcept {
    try {
        net::post(ws_.get_executor(), [self = shared_from_this()] {
            guarded(self->context_.id, [&] {
                if (!self->open_) {
                    // Still in the handshake: onAccept sees closing_ and closes.
                    self->closing_ = true;
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
    open_ = false;
    // Beast queues the close frame behind a write in flight (one writer at a time), and the
    // pending read then ends with `closed`.
    ws_.async_close(code, [self = shared_from_this()](const boost::system::error_code&) {});
}

}  // namespace firmante::websocket
