#include "firmante/agent/SessionQueue.h"

#include <boost/asio/post.hpp>

#include "firmante/agent/Dispatcher.h"
#include "firmante/agent/Logging.h"
#include "firmante/agent/RpcError.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::agent {

SessionQueue::SessionQueue(boost::asio::any_io_executor executor, std::string channel,
                           std::uint64_t id, std::size_t maxInFlight, std::size_t maxQueuedBytes)
    : executor_(std::move(executor)),
      channel_(std::move(channel)),
      id_(id),
      maxInFlight_(maxInFlight),
      maxQueuedBytes_(maxQueuedBytes) {}

void SessionQueue::dispatch(Dispatcher& dispatcher, std::string_view text,
                            const ConnectionContext& context) {
    if (auto respond = admitRequest()) dispatcher.handle(text, context, std::move(*respond));
}

std::optional<SessionQueue::Respond> SessionQueue::admitRequest() {
    if (inFlight_ >= maxInFlight_) {
        send(errorResponse(nullptr, RpcError(protocol::words::Busy,
                                             "too many requests in flight on this "
                                             "connection; wait for answers")));
        return std::nullopt;
    }
    ++inFlight_;
    return Respond([weak = weak_from_this(), executor = executor_](nlohmann::json response) {
        // May run on a token worker: hop onto the session's executor before touching it.
        try {
            boost::asio::post(executor, [weak, response = std::move(response)]() {
                if (auto self = weak.lock()) self->guarded([&] { self->answer(response); });
            });
        } catch (...) {
            // Stopping; the client is being closed anyway.
        }
    });
}

void SessionQueue::answer(const nlohmann::json& response) {
    --inFlight_;
    send(response);
    onAnswered();
}

void SessionQueue::send(const nlohmann::json& response) {
    queueText(dump(response));
}

void SessionQueue::sendNotification(const std::string& json) noexcept {
    try {
        boost::asio::post(executor_, [weak = weak_from_this(), json]() {
            if (auto self = weak.lock()) self->guarded([&] { self->queueText(json); });
        });
    } catch (...) {
        // Notifications are best effort; never let one take the agent down.
    }
}

void SessionQueue::queueText(std::string text) {
    if (closed_) return;
    std::string bytes = frame(std::move(text));
    // The write in flight counts until it ends: a client that reads nothing holds all of it.
    queuedBytes_ += bytes.size();
    if (queuedBytes_ > maxQueuedBytes_) {
        closeSlowReader();
        closeQueue();
        return;
    }
    writes_.push_back(std::move(bytes));
    writeNext();
}

void SessionQueue::openForWrites() {
    open_ = true;
    writeNext();
}

void SessionQueue::writeNext() {
    if (writing_) return;
    if (closed_) {
        closeQueue();
        return;
    }
    if (!open_ || writes_.empty()) return;
    writing_ = true;
    startWrite(writes_.front(), [self = shared_from_this()](const boost::system::error_code& ec) {
        self->guarded([&] { self->onWritten(ec); });
    });
}

void SessionQueue::onWritten(const boost::system::error_code& ec) {
    writing_ = false;
    if (ec) {
        closeQueue();
        onWriteFailed(ec);
        return;
    }
    queuedBytes_ -= writes_.front().size();
    writes_.pop_front();
    writeNext();
}

void SessionQueue::closeQueue() {
    closed_ = true;
    // A write in flight still reads the front buffer (Beast and asio do not copy it): its
    // completion comes back through writeNext() and releases the queue then.
    if (writing_) return;
    std::deque<std::string>().swap(writes_);
    queuedBytes_ = 0;
}

void SessionQueue::logFailure(const char* what) noexcept {
    logger(channel_)->error("connection {}: {}", id_, what);
}

std::string SessionQueue::dump(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace firmante::agent
