#pragma once

#include "firmante/portal/Portal.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>

namespace firmante::portal {

/// Boost.Beast HTTP/1.1 server bound to 127.0.0.1 only. Each request is read with
/// a header limit, a body limit checked against Content-Length before the body is
/// read (Portal::kMaxBody), and a timeout; malformed requests get an error response
/// and the server keeps serving.
class HttpServer {
  public:
    /// Binds 127.0.0.1:`port` (0 = pick a free port). Throws boost::system::system_error.
    HttpServer(boost::asio::io_context& io, Portal& portal, uint16_t port,
               std::chrono::seconds timeout = std::chrono::seconds(30));

    uint16_t port() const noexcept { return port_; }
    /// Starts accepting; the caller runs the io_context.
    void start();

  private:
    void accept();

    boost::asio::io_context& io_;
    Portal& portal_;
    boost::asio::ip::tcp::acceptor acceptor_;
    uint16_t port_;
    std::chrono::seconds timeout_;
};

}  // namespace firmante::portal
