#include "AgentClient.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "firmante/nm/FdFrameIo.h"

namespace firmante::agent::testing {

AgentClient::AgentClient(const std::filesystem::path& socket) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket.c_str(), sizeof address.sun_path - 1);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        const int err = errno;
        ::close(fd_);
        throw std::runtime_error("cannot connect to " + socket.string() + ": " +
                                 std::strerror(err));
    }
}

AgentClient::~AgentClient() {
    if (fd_ >= 0) ::close(fd_);
}

nlohmann::json AgentClient::hello(const std::string& transport, nlohmann::json extraParams) {
    nlohmann::json params = {
        {"transport", transport}, {"client", "agent-test/0.1.0"}, {"protocolVersion", 1}};
    for (auto& [k, v] : extraParams.items()) params[k] = v;
    sendFrame(nlohmann::json{
        {"jsonrpc", "2.0"}, {"id", "hello"}, {"method", "transport.hello"}, {"params", params}}
                  .dump());
    auto reply = read(std::chrono::seconds(10));
    if (!reply) throw std::runtime_error("no hello reply");
    return *reply;
}

nlohmann::json AgentClient::call(const std::string& method, nlohmann::json params,
                                 nlohmann::json extraMembers, std::chrono::seconds timeout) {
    const long id = nextId_++;
    nlohmann::json request = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
    if (!params.is_null()) request["params"] = std::move(params);
    for (auto& [k, v] : extraMembers.items()) request[k] = v;
    sendFrame(request.dump());
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        auto message = read(left);
        if (!message) break;
        if (message->contains("id") && (*message)["id"] == id) return *message;
    }
    throw std::runtime_error("no answer to " + method);
}

void AgentClient::sendFrame(const std::string& body) {
    nm::writeFrame(fd_, body, 1u << 30);
}

void AgentClient::sendRaw(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::runtime_error("send failed");
        done += static_cast<std::size_t>(n);
    }
}

std::optional<nlohmann::json> AgentClient::read(std::chrono::milliseconds timeout) {
    pollfd pfd{fd_, POLLIN, 0};
    const int r = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
    if (r <= 0) return std::nullopt;
    auto frame = nm::readFrame(fd_, 64u << 20);
    if (!frame.isFrame()) throw std::runtime_error("the agent closed the connection");
    return nlohmann::json::parse(frame.body());
}

std::optional<nlohmann::json> AgentClient::readResponse(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        auto message = read(left);
        if (!message || message->contains("id")) return message;
    }
}

bool AgentClient::closedByPeer(std::chrono::milliseconds timeout) {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char byte;
    // 0: orderly close; -1 (ECONNRESET): closed with our hello unread. Both mean "hung up".
    return ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) <= 0;
}

}  // namespace firmante::agent::testing
