#include "firmante/testing/FakeAgent.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <system_error>

#include "firmante/nm/FdFrameIo.h"
#include "firmante/nm/FrameDecoder.h"
#include "firmante/nm/JsonRpcScan.h"

namespace firmante::testing {

namespace {
[[noreturn]] void fail(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}
}  // namespace

FakeAgent::FakeAgent(std::string socketPath, Answer answer)
    : socketPath_(std::move(socketPath)), answer_(std::move(answer)) {
    sockaddr_un address{};
    if (socketPath_.size() >= sizeof(address.sun_path)) throw std::runtime_error("path too long");
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, socketPath_.data(), socketPath_.size());
    listenFd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listenFd_ < 0) fail("socket");
    ::unlink(socketPath_.c_str());
    if (::bind(listenFd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0)
        fail("bind");
    if (::listen(listenFd_, 8) != 0) fail("listen");
    if (::pipe2(wakeFds_, O_CLOEXEC) != 0) fail("pipe2");
}

FakeAgent::~FakeAgent() {
    stop();
    if (thread_.joinable()) thread_.join();
    ::close(listenFd_);
    ::close(wakeFds_[0]);
    ::close(wakeFds_[1]);
    ::unlink(socketPath_.c_str());
}

void FakeAgent::start() {
    thread_ = std::thread([this] { serve(); });
}

void FakeAgent::stop() {
    const char byte = 0;
    [[maybe_unused]] auto ignored = ::write(wakeFds_[1], &byte, 1);
}

void FakeAgent::serve(bool exitWhenIdle) {
    std::map<int, std::unique_ptr<nm::FrameDecoder>> clients;
    bool servedOne = false;
    for (;;) {
        std::vector<pollfd> fds{{wakeFds_[0], POLLIN, 0}, {listenFd_, POLLIN, 0}};
        for (const auto& entry : clients) fds.push_back({entry.first, POLLIN, 0});
        // A detached instance must not outlive a failed test: with nobody connected for 30 s
        // it leaves on its own.
        const int timeout = exitWhenIdle && clients.empty() ? 30000 : -1;
        const int ready = ::poll(fds.data(), fds.size(), timeout);
        if (ready < 0) {
            if (errno == EINTR) continue;
            fail("poll");
        }
        if (ready == 0) break;
        if (fds[0].revents != 0) break;
        if (fds[1].revents & POLLIN) {
            const int client = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (client >= 0) {
                clients.emplace(client, std::make_unique<nm::FrameDecoder>(
                                            64u * 1024 * 1024, nm::OversizePolicy::Stop));
                servedOne = true;
                std::lock_guard lock(mutex_);
                ++connections_;
                changed_.notify_all();
            }
        }
        for (std::size_t i = 2; i < fds.size(); ++i) {
            if (fds[i].revents == 0) continue;
            const int client = fds[i].fd;
            char buffer[65536];
            const ssize_t n = ::read(client, buffer, sizeof buffer);
            if (n <= 0) {
                ::close(client);
                clients.erase(client);
                continue;
            }
            auto& decoder = *clients.at(client);
            decoder.feed(buffer, static_cast<std::size_t>(n));
            while (auto frame = decoder.next()) {
                if (frame->isFrame()) handleFrame(client, frame->body());
            }
        }
        if (exitWhenIdle && servedOne && clients.empty()) break;
    }
    for (const auto& entry : clients) ::close(entry.first);
}

void FakeAgent::handleFrame(int client, const std::string& body) {
    {
        std::lock_guard lock(mutex_);
        received_.push_back(body);
        changed_.notify_all();
    }
    if (body.size() > 1024 * 1024) {
        // Echo a huge request without a DOM (slow under sanitizers): a result as big as it.
        const std::string id = nm::findTopLevelId(body).value_or("null");
        send(client, R"({"id":)" + id + R"(,"jsonrpc":"2.0","result":")" +
                         std::string(body.size(), 'e') + R"("})");
        return;
    }
    const auto request = nlohmann::json::parse(body, nullptr, false);
    if (request.is_discarded() || !request.is_object()) {
        send(
            client,
            R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error","data":{"reason":"PARSE_ERROR"}}})");
        return;
    }
    if (answer_) {
        const auto reply = answer_(request);
        if (reply.is_array()) {
            for (const auto& frame : reply) send(client, frame.dump());
        } else {
            send(client, reply.dump());
        }
        return;
    }
    const auto id = request.value("id", nlohmann::json());
    const std::string method = request.value("method", "");
    if (method == "transport.hello") {
        auto hello = helloReply();
        hello["id"] = id;
        send(client, hello.dump());
    } else if (method == "test.hold") {
        // Like a PIN prompt nobody answers: no reply.
    } else if (method == "test.die_holding") {
        // The agent dies mid-prompt while a child it started (its pinentry window) still holds
        // the connection open: the relay sees no end of stream, only the process gone.
        const pid_t holder = ::fork();
        if (holder == 0) {
            ::fcntl(client, F_SETFD, 0);  // inherited across exec, as an unguarded socket is
            ::execl("/bin/sleep", "sleep", "20", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        std::ofstream(socketPath_ + ".holder.pid") << holder << '\n';
        ::_exit(0);
    } else if (method == "test.notify") {
        send(client, R"({"jsonrpc":"2.0","method":"tokens.changed","params":{}})");
        send(client, nlohmann::json{{"jsonrpc", "2.0"}, {"id", id}, {"result", true}}.dump());
    } else if (method == "test.oversized") {
        std::size_t size = 1024u * 1024u + 1000u;
        if (auto params = request.find("params"); params != request.end() && params->is_object())
            size = params->value("size", size);
        send(client,
             nlohmann::json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::string(size, 'x')}}
                 .dump());
    } else {
        send(client, nlohmann::json{{"jsonrpc", "2.0"},
                                    {"id", id},
                                    {"result", request.value("params", nlohmann::json())}}
                         .dump());
    }
}

void FakeAgent::send(int client, const std::string& body) {
    {
        std::lock_guard lock(mutex_);
        sent_.push_back(body);
    }
    try {
        nm::writeFrame(client, body, 64u * 1024 * 1024);
    } catch (const std::system_error&) {
        // The relay may be gone already (e.g. it exited on an oversized frame).
    }
}

std::vector<std::string> FakeAgent::received() const {
    std::lock_guard lock(mutex_);
    return received_;
}

std::vector<nlohmann::json> FakeAgent::requests() const {
    std::vector<nlohmann::json> out;
    for (const auto& body : received()) {
        auto request = nlohmann::json::parse(body, nullptr, false);
        if (!request.is_discarded()) out.push_back(std::move(request));
    }
    return out;
}

nlohmann::json FakeAgent::helloReply() {
    return {{"jsonrpc", "2.0"},
            {"id", "hello"},
            {"result", {{"agentVersion", "0.1.0-fake"}, {"protocolVersion", 1}}}};
}

nlohmann::json FakeAgent::result(const nlohmann::json& request, nlohmann::json result) {
    return {{"jsonrpc", "2.0"}, {"id", request.at("id")}, {"result", std::move(result)}};
}

std::vector<std::string> FakeAgent::sent() const {
    std::lock_guard lock(mutex_);
    return sent_;
}

int FakeAgent::connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
}

bool FakeAgent::waitForReceived(std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return received_.size() >= count; });
}

}  // namespace firmante::testing
