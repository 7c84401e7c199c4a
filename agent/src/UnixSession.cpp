#include "UnixSession.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "firmante/agent/ConnectionHub.h"
#include "firmante/agent/Dispatcher.h"
#include "firmante/agent/Hello.h"
#include "firmante/agent/Logging.h"
#include "firmante/agent/RequestParser.h"
#include "firmante/agent/RpcError.h"
#include "firmante/nm/FrameCodec.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::agent {

namespace {

// A client that stops reading must not make us buffer without bound.
constexpr std::size_t kMaxQueuedBytes = 64u * 1024u * 1024u;
// One read's worth; allocated when the session starts and released when it closes.
constexpr std::size_t kReadBufferBytes = 64u * 1024u;

std::string dump(const nlohmann::json& value) {
    // Certificate subjects may hold bytes that are not UTF-8: replace rather than throw.
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

UnixSession::UnixSession(boost::asio::local::stream_protocol::socket socket, Dispatcher& dispatcher,
                         ConnectionHub& hub, const Limits& limits, std::uint64_t id,
                         std::shared_ptr<std::size_t> openConnections)
    : socket_(std::move(socket)),
      executor_(socket_.get_executor()),
      dispatcher_(dispatcher),
      hub_(hub),
      limits_(limits),
      // Skip: after an oversized frame the client gets TOO_LARGE and may go on talking.
      decoder_(limits.maxFrameBytes, nm::OversizePolicy::Skip),
      idleTimer_(executor_),
      openConnections_(std::move(openConnections)) {
    context_.id = id;
}

UnixSession::~UnixSession() {
    // Normally close() gave the slot back already; the I/O context may also end with us open.
    if (openConnections_) --*openConnections_;
}

void UnixSession::start() {
    buffer_.resize(kReadBufferBytes);
    armIdleTimer();
    readMore();
}

void UnixSession::armIdleTimer() {
    // The browser's relay keeps its connection open for tokens.changed: only the cap bounds it.
    if (closed_ || (helloDone_ && context_.kind == ConnectionContext::Kind::NativeMessaging)) {
        idleTimer_.cancel();
        return;
    }
    idleTimer_.expires_after(limits_.unixIdleTimeout);
    idleTimer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (ec || !self || self->closed_) return;
        if (self->inFlight_ > 0 || self->writing_) {
            // Waiting for a person in a prompt, or for the client to read: not idle.
            self->armIdleTimer();
            return;
        }
        logger("ipc")->info("closing idle connection {}", self->context_.id);
        self->close();
    });
}

void UnixSession::readMore() {
    socket_.async_read_some(
        boost::asio::buffer(buffer_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
            if (ec || self->closed_) {
                // No read is pending any more: the buffers can go now, not when the last weak
                // reference does.
                self->close();
                self->releaseBuffers();
                return;
            }
            self->armIdleTimer();
            self->decoder_.feed(self->buffer_.data(), n);
            while (auto result = self->decoder_.next()) {
                if (result->isError()) {
                    RequestScope scope(std::to_string(self->context_.id) + ":-");
                    logger("ipc")->warn("frame refused: {}", result->error().what());
                    self->send(errorResponse(
                        nullptr, RpcError(protocol::words::TooLarge, result->error().what())));
                    continue;
                }
                try {
                    self->onFrame(std::move(*result).takeBody());
                } catch (const std::exception& e) {
                    // Never let an exception cross an asio handler: this client goes, the agent
                    // stays.
                    logger("ipc")->error("closing connection {}: {}", self->context_.id, e.what());
                    self->close();
                }
                if (self->closed_) {
                    self->releaseBuffers();
                    return;
                }
            }
            self->readMore();
        });
}

void UnixSession::onFrame(std::string body) {
    if (!helloDone_) {
        onHello(body);
        return;
    }
    if (inFlight_ >= limits_.maxInFlightPerConnection) {
        send(errorResponse(nullptr, RpcError(protocol::words::Busy,
                                             "too many requests in flight on this "
                                             "connection; wait for answers")));
        return;
    }
    ++inFlight_;
    std::weak_ptr<UnixSession> weak = shared_from_this();
    auto executor = executor_;
    dispatcher_.handle(body, context_, [weak, executor](nlohmann::json response) {
        // May run on a worker thread: hop to the I/O thread before touching the session.
        boost::asio::post(executor, [weak, response = std::move(response)]() {
            if (auto self = weak.lock()) {
                --self->inFlight_;
                self->send(response);
                self->armIdleTimer();
            }
        });
    });
}

void UnixSession::onHello(std::string_view body) {
    nlohmann::json id = nullptr;
    try {
        auto request = parseRequestText(body, limits_.maxJsonDepth);
        if (request.is_object()) {
            if (auto it = request.find("id");
                it != request.end() && (it->is_string() || it->is_number_integer())) {
                id = *it;
            }
        }
        const auto connectionId = context_.id;
        context_ = acceptHello(request, connectionId);
        helloDone_ = true;
        armIdleTimer();  // the relay's connection is exempt from now on
        RequestScope scope(std::to_string(context_.id) + ":hello");
        logger("ipc")->info(
            "hello from {} over {}", printable(context_.client),
            context_.kind == ConnectionContext::Kind::Cli ? "cli" : "native-messaging");
        hub_.add(weak_from_this());
        send(resultResponse(id, helloResult()));
    } catch (const std::exception& e) {
        // Keep the connection: the client may send a proper hello next.
        send(errorResponse(id, RpcError::from(e)));
    }
}

void UnixSession::send(const nlohmann::json& response) {
    std::string text = dump(response);
    if (context_.kind == ConnectionContext::Kind::NativeMessaging &&
        text.size() > nm::kMaxHostToBrowserFrame) {
        // The browser closes the port on a bigger frame; an error keeps the page informed.
        text = dump(errorResponse(response.value("id", nlohmann::json()),
                                  RpcError(protocol::words::TooLarge,
                                           "the answer exceeds the 1 MiB a browser "
                                           "accepts from a native host")));
    }
    queueText(std::move(text));
}

void UnixSession::sendNotification(const std::string& json) noexcept {
    try {
        boost::asio::post(executor_, [weak = weak_from_this(), json]() {
            if (auto self = weak.lock()) self->queueText(json);
        });
    } catch (...) {
        // Notifications are best effort; never let one take the agent down.
    }
}

void UnixSession::queueText(std::string text) {
    if (closed_) return;
    std::string frame;
    try {
        frame = nm::encodeFrame(text, limits_.maxFrameBytes);
    } catch (const std::exception& e) {
        frame = nm::encodeFrame(
            dump(errorResponse(nullptr, RpcError(protocol::words::TooLarge, e.what()))));
    }
    queuedBytes_ += frame.size();
    if (queuedBytes_ > kMaxQueuedBytes) {
        logger("ipc")->warn("client {} does not read its answers; closing", context_.id);
        close();
        return;
    }
    writes_.push_back(std::move(frame));
    if (!writing_) writeNext();
}

void UnixSession::writeNext() {
    if (writes_.empty() || closed_) {
        writing_ = false;
        // No write is pending: a closed session's queue can go now.
        if (closed_) std::deque<std::string>().swap(writes_);
        return;
    }
    writing_ = true;
    boost::asio::async_write(
        socket_, boost::asio::buffer(writes_.front()),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
            if (ec) {
                self->close();
                self->writeNext();
                return;
            }
            self->queuedBytes_ -= self->writes_.front().size();
            self->writes_.pop_front();
            self->writeNext();
        });
}

void UnixSession::close() {
    if (closed_) return;
    closed_ = true;
    idleTimer_.cancel();
    if (openConnections_) {
        --*openConnections_;
        openConnections_.reset();
    }
    boost::system::error_code ignored;
    socket_.shutdown(boost::asio::socket_base::shutdown_both, ignored);
    socket_.close(ignored);
}

void UnixSession::releaseBuffers() {
    std::vector<char>().swap(buffer_);
    decoder_ = nm::FrameDecoder(limits_.maxFrameBytes, nm::OversizePolicy::Skip);
}

}  // namespace firmante::agent
