#include "SocketOwner.h"

// sock_diag rather than /proc/net/tcp{,6}: the kernel finds the one socket by its four-tuple (a
// hash lookup), so the cost per accept does not grow with the number of sockets on the machine
// (scanning a text table per connection is quadratic under a flood), there is no text to parse,
// and `idiag_uid` is the socket's owner directly.
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <functional>

namespace firmante::websocket {

namespace {

int openSockDiag() noexcept {
    const int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) return -1;
    // Answers come at once; a kernel that never answers must not stall the I/O thread.
    timeval limit{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    return fd;
}

struct DiagRequest {
    nlmsghdr header;
    inet_diag_req_v2 body;
};

DiagRequest makeRequest(int family, std::uint16_t flags, std::uint32_t states,
                        std::uint32_t sequence) {
    DiagRequest request{};
    request.header.nlmsg_len = sizeof request;
    request.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    request.header.nlmsg_flags = flags;
    request.header.nlmsg_seq = sequence;
    request.body.sdiag_family = static_cast<std::uint8_t>(family);
    request.body.sdiag_protocol = IPPROTO_TCP;
    request.body.idiag_states = states;
    request.body.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    request.body.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    return request;
}

void putAddress(const boost::asio::ip::address& address, __be32 (&out)[4]) {
    if (address.is_v4()) {
        const auto bytes = address.to_v4().to_bytes();
        std::memcpy(out, bytes.data(), bytes.size());
    } else {
        const auto bytes = address.to_v6().to_bytes();
        std::memcpy(out, bytes.data(), bytes.size());
    }
}

// Sends `request` on `fd` and calls `each` for every answer to it until `each` returns true
// (found) or the kernel says it is done. False: not found or no answer.
bool exchange(int fd, const DiagRequest& request,
              const std::function<bool(const inet_diag_msg&)>& each) {
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd, &request, sizeof request, 0, reinterpret_cast<sockaddr*>(&kernel),
                 sizeof kernel) != static_cast<ssize_t>(sizeof request)) {
        return false;
    }
    alignas(nlmsghdr) std::array<char, 16384> buffer;
    for (;;) {
        const ssize_t got = ::recv(fd, buffer.data(), buffer.size(), 0);
        if (got <= 0) return false;
        auto length = static_cast<unsigned>(got);
        bool ours = false;
        for (auto* message = reinterpret_cast<nlmsghdr*>(buffer.data()); NLMSG_OK(message, length);
             message = NLMSG_NEXT(message, length)) {
            // A late answer to an earlier request (one that timed out) is skipped.
            if (message->nlmsg_seq != request.header.nlmsg_seq) continue;
            ours = true;
            if (message->nlmsg_type == NLMSG_DONE || message->nlmsg_type == NLMSG_ERROR) {
                return false;
            }
            if (message->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
                message->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg))) {
                continue;
            }
            if (each(*static_cast<const inet_diag_msg*>(NLMSG_DATA(message)))) return true;
        }
        // An exact lookup answers in one message; a dump goes on until NLMSG_DONE.
        if (ours && !(request.header.nlmsg_flags & NLM_F_DUMP)) return false;
    }
}

}  // namespace

PeerUidLookup::PeerUidLookup() noexcept : fd_(openSockDiag()) {}

PeerUidLookup::~PeerUidLookup() {
    if (fd_ >= 0) ::close(fd_);
}

std::optional<uid_t> PeerUidLookup::operator()(
    const boost::asio::ip::tcp::endpoint& local,
    const boost::asio::ip::tcp::endpoint& remote) noexcept {
    try {
        if (local.address().is_v4() != remote.address().is_v4()) return std::nullopt;
        std::lock_guard lock(mutex_);
        if (fd_ < 0) fd_ = openSockDiag();
        if (fd_ < 0) return std::nullopt;
        auto request = makeRequest(local.address().is_v4() ? AF_INET : AF_INET6, NLM_F_REQUEST, ~0u,
                                   ++sequence_);
        // The client's socket: its own address is `remote`, its peer is us.
        request.body.id.idiag_sport = htons(remote.port());
        request.body.id.idiag_dport = htons(local.port());
        putAddress(remote.address(), request.body.id.idiag_src);
        putAddress(local.address(), request.body.id.idiag_dst);
        std::optional<uid_t> uid;
        exchange(fd_, request, [&](const inet_diag_msg& answer) {
            // Trust the kernel, but only for the socket asked about.
            if (answer.id.idiag_sport != htons(remote.port()) ||
                answer.id.idiag_dport != htons(local.port())) {
                return false;
            }
            uid = answer.idiag_uid;
            return true;
        });
        return uid;
    } catch (...) {
        return std::nullopt;
    }
}

std::optional<uid_t> loopbackListenerUid(std::uint16_t port) noexcept {
    try {
        const int fd = openSockDiag();
        if (fd < 0) return std::nullopt;
        std::optional<uid_t> uid;
        for (const int family : {AF_INET, AF_INET6}) {
            const auto request =
                makeRequest(family, NLM_F_REQUEST | NLM_F_DUMP, 1u << TCP_LISTEN, family);
            exchange(fd, request, [&](const inet_diag_msg& answer) {
                if (answer.id.idiag_sport != htons(port)) return false;
                uid = answer.idiag_uid;
                return true;
            });
            if (uid) break;
        }
        ::close(fd);
        return uid;
    } catch (...) {
        return std::nullopt;
    }
}

}  // namespace firmante::websocket
