#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "firmante/agent/ConnectionContext.h"
#include "firmante/agent/Limits.h"
#include "firmante/agent/SessionQueue.h"
#include "firmante/nm/FrameDecoder.h"

namespace firmante::agent {

class Dispatcher;
class ConnectionHub;

/// One client on the Unix socket: frames in (FrameDecoder, limit checked before allocation),
/// the hello, then requests to the Dispatcher; responses and notifications out through the
/// SessionQueue (one write in flight, byte and request caps). Lives on the I/O thread. Holds one
/// of the server's connection slots until it closes; a client idle past limits.unixIdleTimeout
/// is closed; on close every buffer is released at once (the hub keeps only a weak reference).
class UnixSession : public SessionQueue {
  public:
    /// `openConnections` counts the server's open sessions: this one is counted until it closes.
    UnixSession(boost::asio::local::stream_protocol::socket socket, Dispatcher& dispatcher,
                ConnectionHub& hub, const Limits& limits, std::uint64_t id,
                std::shared_ptr<std::size_t> openConnections);
    ~UnixSession() override;

    void start();

  private:
    void readMore();
    void onFrame(std::string body);
    void onHello(std::string_view body);
    void armIdleTimer();
    void close();
    void releaseBuffers();  // the read side, once no read is pending

    // SessionQueue
    void send(const nlohmann::json& response) override;
    std::string frame(std::string text) override;
    void startWrite(const std::string& bytes, WriteDone done) override;
    void closeSlowReader() override;
    void onWriteFailed(const boost::system::error_code& ec) override;
    void onAnswered() override;

    boost::asio::local::stream_protocol::socket socket_;
    Dispatcher& dispatcher_;
    ConnectionHub& hub_;
    Limits limits_;
    nm::FrameDecoder decoder_;
    ConnectionContext context_;
    bool helloDone_ = false;
    bool closed_ = false;
    std::vector<char> buffer_;
    boost::asio::steady_timer idleTimer_;
    std::shared_ptr<std::size_t> openConnections_;
};

}  // namespace firmante::agent
