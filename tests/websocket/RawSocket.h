#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace firmante::websocket::testing {

/// A plain TCP connection to 127.0.0.1:port, for what a Beast client will not do (send an
/// upgrade and a frame in one packet, hold thousands of sockets, never finish a request).
class RawSocket {
  public:
    /// Connects (blocking, at most `timeout`). Throws std::runtime_error.
    explicit RawSocket(std::uint16_t port,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));
    ~RawSocket();
    RawSocket(RawSocket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    RawSocket(const RawSocket&) = delete;
    RawSocket& operator=(const RawSocket&) = delete;

    int fd() const noexcept { return fd_; }
    /// Sends every byte in one send() call (one packet on loopback for small messages).
    void send(const std::string& bytes);
    /// Reads until `enough(received)` holds, the peer closes, or the deadline; returns what came.
    std::string readUntil(const std::function<bool(const std::string&)>& enough,
                          std::chrono::milliseconds timeout);
    /// True when the peer closed (EOF or reset) within the timeout.
    bool closedByPeer(std::chrono::milliseconds timeout);

  private:
    int fd_ = -1;
};

/// A WebSocket upgrade request (Host 127.0.0.1:port) with this Origin.
std::string upgradeRequest(std::uint16_t port, const std::string& origin);
/// A masked text frame as a browser sends it (payload under 126 bytes).
std::string maskedTextFrame(const std::string& payload);
/// The payload of the first server frame after the HTTP head in `received`; nullopt-like empty
/// string when not complete yet.
std::string firstFramePayload(const std::string& received);
/// The HTTP status of the head in `received` (0 when not complete).
unsigned httpStatus(const std::string& received);
/// Open descriptors of a process (entries of /proc/PID/fd).
std::size_t openDescriptors(pid_t pid);
/// utime + stime of a process, in clock ticks (/proc/PID/stat).
long cpuTicks(pid_t pid);

}  // namespace firmante::websocket::testing
