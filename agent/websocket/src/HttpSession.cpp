#include "HttpSession.h"

#include <boost/asio/post.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "WebSocketSession.h"
#include "firmante/agent/Logging.h"
#include "firmante/agent/OriginPolicy.h"
#include "firmante/websocket/UpgradeCheck.h"

namespace firmante::websocket {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

HttpSession::HttpSession(net::ip::tcp::socket socket, std::shared_ptr<ServerState> state,
                         ConnectionSlot slot)
    : stream_(std::move(socket)),
      state_(std::move(state)),
      slot_(std::move(slot)),
      id_(state_->nextConnectionId()) {}

void HttpSession::run() {
    parser_.emplace();
    // Checked while parsing, before anything bigger is buffered (DESIGN §3 rule 6).
    parser_->header_limit(static_cast<std::uint32_t>(state_->settings.maxHeaderBytes));
    parser_->body_limit(0);
    stream_.expires_after(state_->settings.handshakeTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                         try {
                             self->onRead(ec);
                         } catch (const std::exception& e) {
                             agent::logger("websocket")->error("upgrade failed: {}", e.what());
                         }
                     });
}

void HttpSession::refuseBusy() {
    // Read the request first: closing on unread bytes sends a reset that may eat the 503.
    busy_ = true;
    run();
}

void HttpSession::shutdown() noexcept {
    try {
        net::post(stream_.get_executor(), [self = shared_from_this()] {
            if (self->done_) return;
            self->done_ = true;
            boost::system::error_code ignored;
            self->stream_.socket().shutdown(net::socket_base::shutdown_both, ignored);
            self->stream_.close();
        });
    } catch (...) {
        // The io_context is stopping; the socket closes with it.
    }
}

void HttpSession::onRead(const boost::system::error_code& ec) {
    auto log = agent::logger("websocket");
    if (done_) return;
    if (ec == http::error::header_limit) {
        refuse(http::status::request_header_fields_too_large, "request header too large");
        return;
    }
    if (ec) {
        // Timeout, a peer that left, or bytes that are not HTTP: nothing worth answering.
        log->info("connection {} ended before an upgrade: {}", id_, ec.message());
        done_ = true;
        stream_.close();
        return;
    }
    if (busy_) {
        refuse(http::status::service_unavailable, "too many connections");
        return;
    }
    const auto& request = parser_->get();
    if (auto refusal = checkUpgradeRequest(request, state_->port)) {
        refuse(refusal->status, refusal->reason);
        return;
    }
    std::string origin(request[http::field::origin]);
    if (state_->origins.allowed(origin)) {
        upgrade(std::move(origin));
        return;
    }
    askAboutOrigin(std::move(origin));
}

void HttpSession::askAboutOrigin(std::string origin) {
    if (state_->recentlyRefused(origin)) {
        refuse(http::status::forbidden, "origin not allowed");
        return;
    }
    // The person may take minutes to answer; the handshake deadline is for the client's bytes.
    stream_.expires_never();
    net::post(state_->consent, [self = shared_from_this(), origin = std::move(origin)]() mutable {
        bool approved = false;
        try {
            if (!self->state_->recentlyRefused(origin)) {
                self->state_->origins.authorize(origin);  // blocks while the person decides
                approved = true;
            }
        } catch (const std::exception& e) {
            self->state_->rememberRefusal(origin);
            agent::logger("websocket")->info("connection {}: {}", self->id_, e.what());
        }
        try {
            net::post(self->stream_.get_executor(),
                      [self, approved, origin = std::move(origin)]() mutable {
                          try {
                              if (approved) {
                                  self->upgrade(std::move(origin));
                              } else {
                                  self->refuse(http::status::forbidden, "origin not allowed");
                              }
                          } catch (const std::exception& e) {
                              agent::logger("websocket")->error("upgrade failed: {}", e.what());
                          }
                      });
        } catch (...) {
            // Stopping: the connection goes with the io_context.
        }
    });
}

void HttpSession::upgrade(std::string origin) {
    if (done_ || state_->stopping) return;
    done_ = true;
    stream_.expires_never();
    agent::logger("websocket")->info("connection {} from {}", id_, origin);
    auto session = std::make_shared<WebSocketSession>(stream_.release_socket(), state_,
                                                      std::move(slot_), id_, std::move(origin));
    state_->track(session);
    session->run(parser_->release());
}

void HttpSession::refuse(http::status status, const std::string& reason) {
    if (done_) return;
    done_ = true;
    agent::logger("websocket")
        ->warn("connection {} refused: {} ({})", id_, static_cast<unsigned>(status), reason);
    response_ = std::make_shared<http::response<http::string_body>>(status, 11);
    response_->set(http::field::server, "firmante-agent");
    response_->set(http::field::content_type, "text/plain; charset=utf-8");
    response_->set(http::field::cache_control, "no-store");
    if (status == http::status::upgrade_required) {
        response_->set(http::field::upgrade, "websocket");
    }
    response_->keep_alive(false);
    response_->body() = reason + "\n";
    response_->prepare_payload();
    stream_.expires_after(state_->settings.handshakeTimeout);
    http::async_write(stream_, *response_,
                      [self = shared_from_this()](const boost::system::error_code&, std::size_t) {
                          boost::system::error_code ignored;
                          self->stream_.socket().shutdown(net::socket_base::shutdown_send, ignored);
                          self->stream_.close();
                      });
}

}  // namespace firmante::websocket
