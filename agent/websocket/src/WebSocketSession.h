#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <nlohmann/json.hpp>

#include "Closable.h"
#include "LoopbackStream.h"
#include "ServerState.h"
#include "firmante/agent/Connection.h"
#include "firmante/agent/ConnectionContext.h"
#include "firmante/websocket/UpgradeCheck.h"

namespace firmante::websocket {

/// One upgraded connection: text messages in (at most the agent's frame limit), each one a
/// JSON-RPC request for the Dispatcher with the Origin header as the attested origin; responses
/// and notifications out through a write queue (one write in flight). Lives on its strand.
class WebSocketSession : public agent::Connection,
                         public Closable,
                         public std::enable_shared_from_this<WebSocketSession> {
  public:
    WebSocketSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerState> state,
                     ConnectionSlot slot, std::uint64_t id, std::string origin);

    /// Accepts the already-checked upgrade request; `early` holds bytes the client sent after
    /// it, read with it (they are read first).
    void run(UpgradeRequest request, std::string early = {});
    void sendNotification(const std::string& json) noexcept override;
    /// Closes with 1001 (going away). Any thread.
    void shutdown() noexcept override;

  private:
    void onAccept(const boost::system::error_code& ec);
    void readNext();
    void onRead(const boost::system::error_code& ec);
    void onMessage(std::string text);
    void send(const nlohmann::json& response);
    void queueText(std::string text);
    void writeNext();
    void closeWith(boost::beast::websocket::close_code code);

    boost::beast::websocket::stream<LoopbackStream> ws_;
    std::shared_ptr<ServerState> state_;
    ConnectionSlot slot_;
    agent::ConnectionContext context_;
    boost::beast::flat_buffer buffer_;
    std::deque<std::string> writes_;
    std::size_t queuedBytes_ = 0;
    std::size_t inFlight_ = 0;
    bool writing_ = false;
    bool open_ = false;
    bool closing_ = false;
    bool closeSent_ = false;
};

}  // namespace firmante::websocket
