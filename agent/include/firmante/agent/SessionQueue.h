#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>
#include <nlohmann/json.hpp>

#include "firmante/agent/Connection.h"

namespace firmante::agent {

class Dispatcher;
struct ConnectionContext;

/// What every transport's session shares (issue 10 §5), in the shape of Beast's chat-multi
/// session: responses and notifications leave through one queue with one write in flight; the
/// bytes waiting there are capped (a client that stops reading is closed); so are the requests
/// waiting for an answer (one more is answered BUSY); an answer computed on a token worker comes
/// back to the session's executor before it touches the session; once closed, the queue is
/// released as soon as no write still reads one of its buffers.
///
/// A transport derives from it and keeps only its own part: reading and decoding, its hello or
/// handshake, and the hooks below (the write call, the framing, how a slow reader is closed).
/// Everything but sendNotification and the Respond callbacks runs on the session's executor.
class SessionQueue : public Connection, public std::enable_shared_from_this<SessionQueue> {
  public:
    using Respond = std::function<void(nlohmann::json response)>;
    using WriteDone = std::function<void(const boost::system::error_code& ec)>;

    /// A client that stops reading must not make us buffer without bound.
    static constexpr std::size_t kMaxQueuedBytes = 64u * 1024u * 1024u;

    /// Queues one JSON text (a notification) on the session's executor. Any thread; never throws.
    void sendNotification(const std::string& json) noexcept final;

  protected:
    /// `channel` is the logger for failures caught in handlers ("ipc", "websocket"), `id` the
    /// connection's number in log lines. Writes start once openForWrites() is called.
    SessionQueue(boost::asio::any_io_executor executor, std::string channel, std::uint64_t id,
                 std::size_t maxInFlight, std::size_t maxQueuedBytes = kMaxQueuedBytes);

    /// Hands one request to the dispatcher with a Respond from admitRequest(); none when BUSY.
    void dispatch(Dispatcher& dispatcher, std::string_view text, const ConnectionContext& context);
    /// Counts one more request in flight and gives the callback its answer comes back through
    /// (callable once, from any thread: it posts to the session's executor, then send() and
    /// onAnswered() run there). At maxInFlight: answers BUSY and gives nothing.
    std::optional<Respond> admitRequest();

    /// Queues one response. The default writes it as JSON text; a transport overrides it to
    /// apply its own size rule first, and ends with queueText().
    virtual void send(const nlohmann::json& response);
    /// Frames the text (frame()) and queues it behind the writes already waiting; past the byte
    /// cap calls closeSlowReader() and closes the queue. Nothing once the queue is closed.
    void queueText(std::string text);
    /// Lets writes start (after the transport's handshake) and starts the first one.
    void openForWrites();
    /// Takes no more text; the queue's memory goes now, or when the write in flight ends (its
    /// buffer is still being read). Idempotent.
    void closeQueue();

    bool queueClosed() const noexcept { return closed_; }
    /// Opened and not closed: what a WebSocket calls open.
    bool writesOpen() const noexcept { return open_ && !closed_; }
    /// A request still waits for its answer, or a write for the client to read it.
    bool busy() const noexcept { return inFlight_ > 0 || writing_; }
    const boost::asio::any_io_executor& executor() const noexcept { return executor_; }

    /// Runs `body` so that no exception crosses an asio handler: it is logged as
    /// "connection <id>: <what>" and the session goes on.
    template <class F>
    void guarded(F&& body) noexcept {
        try {
            body();
        } catch (const std::exception& e) {
            logFailure(e.what());
        } catch (...) {
            logFailure("unknown failure");
        }
    }

    /// This session as the transport's own type, for its handlers.
    template <class Derived>
    std::shared_ptr<Derived> selfAs() {
        return std::static_pointer_cast<Derived>(shared_from_this());
    }

    /// JSON text for the wire; bytes that are not UTF-8 (certificate subjects may hold them)
    /// are replaced rather than thrown on.
    static std::string dump(const nlohmann::json& value);

    // The transport's part.
    /// Starts writing `bytes` (owned by the queue until `done` runs) and calls `done` once.
    virtual void startWrite(const std::string& bytes, WriteDone done) = 0;
    /// The bytes on the wire for one JSON text (default: the text itself).
    virtual std::string frame(std::string text) { return text; }
    /// The byte cap was exceeded: log and close the connection the transport's way.
    virtual void closeSlowReader() = 0;
    /// A write failed (the queue is closed already).
    virtual void onWriteFailed(const boost::system::error_code& /*ec*/) {}
    /// After a dispatched request's answer was queued.
    virtual void onAnswered() {}

  private:
    void writeNext();
    void onWritten(const boost::system::error_code& ec);
    void answer(const nlohmann::json& response);
    void logFailure(const char* what) noexcept;

    boost::asio::any_io_executor executor_;
    std::string channel_;
    std::uint64_t id_;
    std::size_t maxInFlight_;
    std::size_t maxQueuedBytes_;
    std::deque<std::string> writes_;
    std::size_t queuedBytes_ = 0;
    std::size_t inFlight_ = 0;
    bool writing_ = false;
    bool open_ = false;
    bool closed_ = false;
};

}  // namespace firmante::agent
