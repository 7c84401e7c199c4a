#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "firmante/agent/Connection.h"
#include "firmante/agent/ConnectionContext.h"
#include "firmante/agent/Limits.h"
#include "firmante/nm/FrameDecoder.h"

namespace firmante::agent {

class Dispatcher;
class ConnectionHub;

/// One client on the Unix socket: frames in (FrameDecoder, limit checked before allocation),
/// the hello, then requests to the Dispatcher; responses and notifications out through a write
/// queue so only one write is in flight. Lives on the I/O thread. Holds one of the server's
/// connection slots until it closes; a client idle past limits.unixIdleTimeout is closed; on
/// close every buffer is released at once (the hub keeps only a weak reference).
class UnixSession : public Connection, public std::enable_shared_from_this<UnixSession> {
  public:
    /// `openConnections` counts the server's open sessions: this one is counted until it closes.
    UnixSession(boost::asio::local::stream_protocol::socket socket, Dispatcher& dispatcher,
                ConnectionHub& hub, const Limits& limits, std::uint64_t id,
                std::shared_ptr<std::size_t> openConnections);
    ~UnixSession() override;

    void start();
    void sendNotification(const std::string& json) noexcept override;

  private:
    void readMore();
    void onFrame(std::string body);
    void onHello(std::string_view body);
    void send(const nlohmann::json& response);  // I/O thread
    void queueText(std::string text);           // I/O thread
    void writeNext();
    void armIdleTimer();
    void close();
    void releaseBuffers();  // the read side, once no read is pending

    boost::asio::local::stream_protocol::socket socket_;
    boost::asio::any_io_executor executor_;
    Dispatcher& dispatcher_;
    ConnectionHub& hub_;
    Limits limits_;
    nm::FrameDecoder decoder_;
    ConnectionContext context_;
    bool helloDone_ = false;
    bool closed_ = false;
    std::size_t inFlight_ = 0;
    std::size_t queuedBytes_ = 0;
    std::vector<char> buffer_;
    boost::asio::steady_timer idleTimer_;
    std::shared_ptr<std::size_t> openConnections_;
    std::deque<std::string> writes_;
    bool writing_ = false;
};

}  // namespace firmante::agent
