#include "HttpSession.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "WebSocketSession.h"
#include "firmante/agent/Logging.h"
#include "firmante/agent/OriginPolicy.h"
#include "firmante/agent/RpcError.h"
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
      id_(state_->nextConnectionId()),
      consentTimer_(stream_.get_executor()) {}

HttpSession::~HttpSession() {
    endConsentWait();
}

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

void HttpSession::shutdown() noexcept {
    try {
        net::post(stream_.get_executor(), [self = shared_from_this()] {
            if (self->done_) return;
            self->done_ = true;
            self->consentTimer_.cancel();
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
    if (state_->origins.refusedRecently(origin)) {
        refuse(http::status::forbidden, "origin not allowed");
        return;
    }
    // Pages waiting for the person may hold only some of the slots, and each only for a short
    // while: they can never lock out an allowed page.
    if (!state_->tryTakeConsentPlace()) {
        refuse(http::status::service_unavailable, "too many pages wait for the person's answer");
        return;
    }
    waitingForConsent_ = true;
    stream_.expires_never();
    consentTimer_.expires_after(state_->settings.consentWait);
    consentTimer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (ec || !self->waitingForConsent_) return;
        self->endConsentWait();
        // The question stays in the queue; the page's next attempt gets the answer at once.
        self->refuse(http::status::service_unavailable,
                     "waiting for the person's answer; try again");
    });
    auto executor = stream_.get_executor();
    state_->origins.ask(origin, [self = shared_from_this(), executor,
                                 origin](std::optional<agent::RpcError> refusal) {
        try {
            net::post(executor, [self, origin, approved = !refusal] {
                try {
                    self->onAnswer(origin, approved);
                } catch (const std::exception& e) {
                    agent::logger("websocket")->error("upgrade failed: {}", e.what());
                }
            });
        } catch (...) {
            // Stopping: the connection goes with the io_context.
        }
    });
}

void HttpSession::onAnswer(const std::string& origin, bool approved) {
    if (!waitingForConsent_) return;  // the wait ended already with a 503
    endConsentWait();
    consentTimer_.cancel();
    if (approved) {
        upgrade(origin);
    } else {
        refuse(http::status::forbidden, "origin not allowed");
    }
}

void HttpSession::endConsentWait() noexcept {
    if (!waitingForConsent_) return;
    waitingForConsent_ = false;
    state_->releaseConsentPlace();
}

void HttpSession::upgrade(std::string origin) {
    if (done_ || state_->stopping) return;
    done_ = true;
    stream_.expires_never();
    agent::logger("websocket")->info("connection {} from {}", id_, origin);
    // A client may send its first frame in the same packet as the upgrade request: those bytes
    // are in our buffer now and must reach the WebSocket reader, not be dropped.
    std::string early = beast::buffers_to_string(buffer_.data());
    auto session = std::make_shared<WebSocketSession>(stream_.release_socket(), state_,
                                                      std::move(slot_), id_, std::move(origin));
    state_->track(session);
    session->run(parser_->release(), std::move(early));
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
    if (status == http::status::service_unavailable) response_->set(http::field::retry_after, "2");
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
