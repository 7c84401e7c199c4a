#include "FakeAgent.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "firmante/nm/FdFrameIo.h"

namespace firmante::cli::test {

FakeAgent::FakeAgent(std::string socketPath, Answer answer)
    : path_(std::move(socketPath)), answer_(std::move(answer)) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path_.size() >= sizeof(address.sun_path)) throw std::runtime_error("socket path too long");
    std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 4) != 0)
        throw std::runtime_error("cannot listen on " + path_);
    if (::pipe2(stopPipe_, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    thread_ = std::thread([this] { serve(); });
}

FakeAgent::~FakeAgent() {
    char c = 0;
    if (::write(stopPipe_[1], &c, 1) < 0) {
        // The thread also stops when the pipe closes below.
    }
    thread_.join();
    ::close(stopPipe_[0]);
    ::close(stopPipe_[1]);
    ::close(listener_);
    ::unlink(path_.c_str());
}

std::vector<nlohmann::json> FakeAgent::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

nlohmann::json FakeAgent::helloReply() {
    return {{"jsonrpc", "2.0"},
            {"id", "hello"},
            {"result", {{"agentVersion", "0.1.0-fake"}, {"protocolVersion", 1}}}};
}

nlohmann::json FakeAgent::result(const nlohmann::json& request, nlohmann::json result) {
    return {{"jsonrpc", "2.0"}, {"id", request.at("id")}, {"result", std::move(result)}};
}

void FakeAgent::serve() {
    for (;;) {
        pollfd fds[2] = {{listener_, POLLIN, 0}, {stopPipe_[0], POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) continue;
        if (fds[1].revents) return;
        int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        ++connections_;
        handle(fd);
        ::close(fd);
    }
}

void FakeAgent::handle(int fd) {
    for (;;) {
        pollfd fds[2] = {{fd, POLLIN, 0}, {stopPipe_[0], POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) continue;
        if (fds[1].revents) return;
        try {
            auto frame = nm::readFrame(fd);
            if (!frame.isFrame()) return;
            auto request = nlohmann::json::parse(frame.body());
            {
                std::lock_guard lock(mutex_);
                requests_.push_back(request);
            }
            auto reply = answer_(request);
            if (reply.is_array()) {
                for (const auto& r : reply) nm::writeFrame(fd, r.dump());
            } else {
                nm::writeFrame(fd, reply.dump());
            }
        } catch (const std::exception&) {
            return;
        }
    }
}

}  // namespace firmante::cli::test
