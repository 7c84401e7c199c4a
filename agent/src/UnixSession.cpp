#include "UnixSession.h"

#include <boost/asio/buffer.hpp>
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

// One read's worth; allocated when the session starts and released when it closes.
constexpr std::size_t kReadBufferBytes = 64u * 1024u;

}  // namespace

UnixSession::UnixSession(boost::asio::local::stream_protocol::socket socket, Dispatcher& dispatcher,
                         ConnectionHub& hub, const Limits& limits, std::uint64_t id,
                         std::shared_ptr<std::size_t> openConnections)
    : SessionQueue(socket.get_executor(), "ipc", id, limits.maxInFlightPerConnection),
      socket_(std::move(socket)),
      dispatcher_(dispatcher),
      hub_(hub),
      limits_(limits),
      // Skip: after an oversized frame the client gets TOO_LARGE and may go on talking.
      decoder_(limits.maxFrameBytes, nm::OversizePolicy::Skip),
      idleTimer_(executor()),
      openConnections_(std::move(openConnections)) {
    context_.id = id;
}

UnixSession::~UnixSession() {
    // Normally close() gave the slot back already; the I/O context may also end with us open.
    if (openConnections_) --*openConnections_;
}

void UnixSession::start() {
    buffer_.resize(kReadBufferBytes);
    openForWrites();
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
    std::weak_ptr<UnixSession> weak = selfAs<UnixSession>();
    idleTimer_.async_wait([weak](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (ec || !self || self->closed_) return;
        if (self->busy()) {
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
        [self = selfAs<UnixSession>()](const boost::system::error_code& ec, std::size_t n) {
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
    dispatch(dispatcher_, body, context_);
}

void UnixSession::onAnswered() {
    armIdleTimer();
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

std::string UnixSession::frame(std::string text) {
    try {
        return nm::encodeFrame(text, limits_.maxFrameBytes);
    } catch (const std::exception& e) {
        return nm::encodeFrame(
            dump(errorResponse(nullptr, RpcError(protocol::words::TooLarge, e.what()))));
    }
}

void UnixSession::startWrite(const std::string& bytes, WriteDone done) {
    boost::asio::async_write(
        socket_, boost::asio::buffer(bytes),
        [done = std::move(done)](const boost::system::error_code& ec, std::size_t) { done(ec); });
}

void UnixSession::closeSlowReader() {
    logger("ipc")->warn("client {} does not read its answers; closing", context_.id);
    close();
}

void UnixSession::onWriteFailed(const boost::system::error_code&) {
    close();
}

void UnixSession::close() {
    if (closed_) return;
    closed_ = true;
    idleTimer_.cancel();
    closeQueue();
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
