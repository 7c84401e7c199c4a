#pragma once

#include <chrono>
#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace firmante::websocket {

class ServerState;

/// Accepts on one loopback endpoint. Before anything is read, a connection is closed at once
/// when the connection cap is reached or when its socket belongs to another uid (DESIGN §3:
/// other users are untrusted); else it gets its own strand and an HttpSession. When the process
/// runs out of descriptors, accepting pauses (backing off up to a second) instead of spinning.
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
    void onAccept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);
    void take(boost::asio::ip::tcp::socket socket);
    bool ownUser(boost::asio::ip::tcp::socket& socket);
    void backOff(const boost::system::error_code& ec);

    std::shared_ptr<ServerState> state_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer pause_;
    std::chrono::milliseconds backoff_{0};
};

}  // namespace firmante::websocket
