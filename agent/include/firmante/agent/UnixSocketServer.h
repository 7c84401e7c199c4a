#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include "firmante/agent/Limits.h"

namespace firmante::agent {

class Dispatcher;
class ConnectionHub;

/// The local IPC transport: a Unix socket, mode 0600 in a 0700 folder, that accepts only
/// processes of our own uid (SO_PEERCRED). The caller holds the InstanceLock, so a socket file
/// already there is a crashed agent's and is replaced. At most limits.maxUnixConnections clients
/// at once: one more gets a BUSY error and is closed. Every descriptor is close-on-exec.
class UnixSocketServer {
  public:
    UnixSocketServer(boost::asio::io_context& io, std::filesystem::path path,
                     Dispatcher& dispatcher, ConnectionHub& hub, Limits limits);
    ~UnixSocketServer();

    /// Binds and starts accepting. Throws std::runtime_error naming the path.
    void start();
    /// Starts accepting on a listening socket handed over by the service manager (socket
    /// activation). Its file belongs to the manager, so stop() leaves it in place.
    void adopt(int listeningFd);
    /// Stops accepting and removes the socket file (if this server bound it).
    void stop();

  private:
    void accept();
    void refuseBusy(boost::asio::local::stream_protocol::socket& socket);

    boost::asio::io_context& io_;
    std::filesystem::path path_;
    Dispatcher& dispatcher_;
    ConnectionHub& hub_;
    Limits limits_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    boost::asio::steady_timer retryTimer_;
    std::uint64_t nextId_ = 1;
    // Open sessions; shared with them because a session may outlive the server by a handler.
    std::shared_ptr<std::size_t> openConnections_ = std::make_shared<std::size_t>(0);
    bool listening_ = false;
    bool ownsFile_ = true;
};

}  // namespace firmante::agent
