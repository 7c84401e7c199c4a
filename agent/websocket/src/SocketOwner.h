#pragma once

#include <sys/types.h>

#include <cstdint>
#include <mutex>
#include <optional>

#include <boost/asio/ip/tcp.hpp>

namespace firmante::websocket {

/// Finds the uid owning the TCP socket at the other end of an accepted loopback connection:
/// the socket whose own address is `remote` and whose peer is `local`, looked up by the kernel
/// (NETLINK_SOCK_DIAG, exact match on the four-tuple). Keeps its netlink socket open, so a
/// lookup needs no descriptor even when the process is at its descriptor limit.
class PeerUidLookup {
  public:
    PeerUidLookup() noexcept;
    ~PeerUidLookup();
    PeerUidLookup(const PeerUidLookup&) = delete;
    PeerUidLookup& operator=(const PeerUidLookup&) = delete;

    /// nullopt when the kernel cannot tell — callers must then refuse (fail closed). Any thread.
    std::optional<uid_t> operator()(const boost::asio::ip::tcp::endpoint& local,
                                    const boost::asio::ip::tcp::endpoint& remote) noexcept;

  private:
    std::mutex mutex_;
    int fd_;
    std::uint32_t sequence_ = 0;
};

/// The uid of a program listening on loopback TCP `port` (IPv4 or IPv6), to say who holds the
/// port we could not bind. nullopt when nobody or when the kernel cannot tell.
std::optional<uid_t> loopbackListenerUid(std::uint16_t port) noexcept;

}  // namespace firmante::websocket
