#pragma once

#include <memory>

#include <boost/asio/ip/tcp.hpp>

namespace firmante::websocket {

class ServerState;

/// Accepts on one loopback endpoint; each connection gets its own strand and an HttpSession
/// (or, past the connection cap, a 503).
class Listener : public std::enable_shared_from_this<Listener> {
  public:
    /// Opens, binds and listens. Throws boost::system::system_error.
    Listener(std::shared_ptr<ServerState> state, const boost::asio::ip::tcp::endpoint& endpoint);

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    void run();
    /// Stops accepting (posted to the acceptor's strand). Never throws.
    void stop() noexcept;

  private:
    void accept();

    std::shared_ptr<ServerState> state_;
    boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace firmante::websocket
