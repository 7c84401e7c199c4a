#pragma once

#include <cstdint>
#include <filesystem>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include "firmante/agent/Limits.h"

namespace firmante::agent {

class Dispatcher;
class ConnectionHub;

/// The local IPC transport: a Unix socket, mode 0600 in a 0700 folder, that accepts only
/// processes of our own uid (SO_PEERCRED). The caller holds the InstanceLock, so a socket file
/// already there is a crashed agent's and is replaced.
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

    boost::asio::io_context& io_;
    std::filesystem::path path_;
    Dispatcher& dispatcher_;
    ConnectionHub& hub_;
    Limits limits_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    std::uint64_t nextId_ = 1;
    bool listening_ = false;
    bool ownsFile_ = true;
};

}  // namespace firmante::agent
