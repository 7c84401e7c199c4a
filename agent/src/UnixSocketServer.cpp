#include "firmante/agent/UnixSocketServer.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "UnixSession.h"
#include "firmante/agent/AgentPaths.h"
#include "firmante/agent/Logging.h"
#include "firmante/agent/RpcError.h"
#include "firmante/nm/FrameCodec.h"
#include "firmante/protocol/PeerCredentials.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::agent {

UnixSocketServer::UnixSocketServer(boost::asio::io_context& io, std::filesystem::path path,
                                   Dispatcher& dispatcher, ConnectionHub& hub, Limits limits)
    : io_(io),
      path_(std::move(path)),
      dispatcher_(dispatcher),
      hub_(hub),
      limits_(limits),
      acceptor_(io),
      retryTimer_(io) {}

UnixSocketServer::~UnixSocketServer() {
    stop();
}

void UnixSocketServer::start() {
    ensurePrivateDirectory(path_.parent_path());
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string path = path_.string();
    if (path.size() >= sizeof address.sun_path) {
        throw std::runtime_error("the socket path is too long for a Unix socket: " + path);
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    // We hold the instance lock, so whatever is there was left by an agent that crashed.
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        throw std::runtime_error("cannot remove the stale socket " + path + ": " +
                                 std::strerror(errno));
    }
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    // The umask makes the socket 0600 from its first moment; chmod afterwards would leave a gap.
    const mode_t old = ::umask(0177);
    const int bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
    const int bindErrno = errno;
    ::umask(old);
    if (bound != 0 || ::listen(fd, 64) != 0) {
        const int err = bound != 0 ? bindErrno : errno;
        ::close(fd);
        throw std::runtime_error("cannot listen on " + path + ": " + std::strerror(err));
    }
    ::chmod(path.c_str(), 0600);
    acceptor_.assign(boost::asio::local::stream_protocol(), fd);
    listening_ = true;
    accept();
}

void UnixSocketServer::adopt(int listeningFd) {
    acceptor_.assign(boost::asio::local::stream_protocol(), listeningFd);
    ownsFile_ = false;
    listening_ = true;
    accept();
}

void UnixSocketServer::stop() {
    if (!listening_) return;
    listening_ = false;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retryTimer_.cancel();
    // A manager's socket must survive us: the next connection starts the agent again.
    if (ownsFile_) ::unlink(path_.c_str());
}

void UnixSocketServer::accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec,
                                  boost::asio::local::stream_protocol::socket socket) {
        if (ec) {
            if (ec == boost::asio::error::operation_aborted || !listening_) return;
            logger("ipc")->warn("accept failed: {}", ec.message());
            // Out of descriptors (EMFILE) fails again at once: wait instead of spinning.
            retryTimer_.expires_after(std::chrono::milliseconds(100));
            retryTimer_.async_wait([this](const boost::system::error_code& waited) {
                if (!waited && listening_) accept();
            });
            return;
        }
        // asio accepts without SOCK_CLOEXEC: a prompt program started now must not inherit it.
        ::fcntl(socket.native_handle(), F_SETFD, FD_CLOEXEC);
        const auto peer = protocol::PeerCredentials::of(socket.native_handle());
        if (!protocol::peerAllowed(peer, ::getuid())) {
            logger("ipc")->warn("refused a client of another user (uid {})",
                                peer ? std::to_string(peer->uid) : std::string("unknown"));
            boost::system::error_code ignored;
            socket.close(ignored);
        } else if (*openConnections_ >= limits_.maxUnixConnections) {
            refuseBusy(socket);
        } else {
            ++*openConnections_;
            // Not make_shared: the hub's weak reference must not keep the session's memory.
            std::shared_ptr<UnixSession>(new UnixSession(std::move(socket), dispatcher_, hub_,
                                                         limits_, nextId_++, openConnections_))
                ->start();
        }
        accept();
    });
}

void UnixSocketServer::refuseBusy(boost::asio::local::stream_protocol::socket& socket) {
    logger("ipc")->warn("refused a client: {} connections are open", *openConnections_);
    // One small frame fits the socket's buffer: sent without waiting, then the connection goes.
    const std::string frame = nm::encodeFrame(
        errorResponse(nullptr, RpcError(protocol::words::Busy,
                                        "el agente tiene demasiadas conexiones abiertas / too "
                                        "many connections are open to the agent"))
            .dump());
    [[maybe_unused]] const auto sent =
        ::send(socket.native_handle(), frame.data(), frame.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    boost::system::error_code ignored;
    socket.close(ignored);
}

}  // namespace firmante::agent
