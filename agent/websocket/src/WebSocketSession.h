#pragma once

#include <cstdint>
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
#include "firmante/agent/ConnectionContext.h"
#include "firmante/agent/SessionQueue.h"
#include "firmante/websocket/UpgradeCheck.h"

namespace firmante::websocket {

/// One upgraded connection: text messages in (at most the agent's frame limit), each one a
/// JSON-RPC request for the Dispatcher with the Origin header as the attested origin; responses
/// and notifications out through the SessionQueue (one write in flight, byte and request caps).
/// Lives on its strand.
class WebSocketSession : public agent::SessionQueue, public Closable {
  public:
    WebSocketSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerState> state,
                     ConnectionSlot slot, std::uint64_t id, std::string origin);

    /// Accepts the already-checked upgrade request; `early` holds bytes the client sent after
    /// it, read with it (they are read first).
    void run(UpgradeRequest request, std::string early = {});
    /// Closes with 1001 (going away). Any thread.
    void shutdown() noexcept override;

  private:
    void onAccept(const boost::system::error_code& ec);
    void readNext();
    void onRead(const boost::system::error_code& ec);
    void closeWith(boost::beast::websocket::close_code code);

    // SessionQueue
    void startWrite(const std::string& bytes, WriteDone done) override;
    void closeSlowReader() override;

    boost::beast::websocket::stream<LoopbackStream> ws_;
    std::shared_ptr<ServerState> state_;
    ConnectionSlot slot_;
    agent::ConnectionContext context_;
    boost::beast::flat_buffer buffer_;
    bool closing_ = false;
    bool closeSent_ = false;
};

}  // namespace firmante::websocket
