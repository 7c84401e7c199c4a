#include "AgentClient.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "CliError.h"
#include "Messages.h"
#include "firmante/nm/FdFrameIo.h"
#include "firmante/protocol/AgentSocketPath.h"
#include "firmante/protocol/PeerCredentials.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::cli {
namespace {

constexpr int kProtocolVersion = 1;
constexpr const char* kClientName = "firmante/0.1.0";

std::string reasonForCode(long code) {
    switch (code) {
        case -32700:
            return protocol::words::ParseError;
        case -32600:
            return protocol::words::InvalidRequest;
        case -32601:
            return protocol::words::MethodNotFound;
        case -32602:
            return protocol::words::InvalidParams;
        default:
            return protocol::words::Internal;
    }
}

CliError errorFrom(const nlohmann::json& error) {
    std::string message = error.value("message", std::string("agent error"));
    std::string reason = reasonForCode(error.value("code", 0L));
    CliError e(protocol::words::Internal, message);
    if (auto data = error.find("data"); data != error.end() && data->is_object()) {
        if (auto r = data->find("reason"); r != data->end() && r->is_string()) reason = *r;
        // The agent's sentence for a person first, then its detail.
        if (auto es = data->value("messageEs", std::string()); !es.empty() && es != message)
            message = es + " — " + message;
        e = CliError(reason, message);
        if (auto t = data->find("triesLeft"); t != data->end() && t->is_number_integer())
            e.triesLeft = t->get<int>();
        e.pinCountLow = data->value("pinCountLow", false);
        e.pinFinalTry = data->value("pinFinalTry", e.triesLeft == 1);
        return e;
    }
    return CliError(reason, message);
}

}  // namespace

std::unique_ptr<AgentClient> AgentClient::connect(const std::optional<std::string>& origin) {
    const std::string path = protocol::agentSocketPath();
    sockaddr_un address{};
    if (path.empty() || path.size() >= sizeof(address.sun_path)) return nullptr;
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return nullptr;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return nullptr;  // ENOENT, ECONNREFUSED…: no agent running
    }
    // The socket may sit under /tmp, in a folder another user could have made first: whoever
    // listens there must be us, or the PIN prompt and the documents go to a stranger.
    if (!protocol::peerAllowed(protocol::PeerCredentials::of(fd), ::getuid())) {
        ::close(fd);
        throw CliError(protocol::words::NativeUnavailable, tr("agent.foreign", {path}));
    }
    std::unique_ptr<AgentClient> client(new AgentClient(fd, path));
    nlohmann::json hello{
        {"jsonrpc", "2.0"},
        {"id", "hello"},
        {"method", "transport.hello"},
        {"params",
         {{"transport", "cli"}, {"client", kClientName}, {"protocolVersion", kProtocolVersion}}}};
    if (origin) hello["params"]["origin"] = *origin;
    auto reply = client->exchange(hello);
    if (auto error = reply.find("error"); error != reply.end()) throw errorFrom(*error);
    client->hello_ = reply.value("result", nlohmann::json::object());
    if (client->hello_.value("protocolVersion", 0) != kProtocolVersion)
        throw CliError(protocol::words::VersionMismatch,
                       tr("agent.version", {client->hello_.dump()}));
    return client;
}

AgentClient::AgentClient(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

AgentClient::~AgentClient() {
    ::close(fd_);
}

nlohmann::json AgentClient::exchange(const nlohmann::json& request) {
    const auto id = request.at("id");
    try {
        nm::writeFrame(fd_, request.dump());
        for (;;) {
            auto frame = nm::readFrame(fd_);
            if (frame.isEndOfStream())
                throw CliError(protocol::words::Internal, tr("agent.closed", {path_}));
            auto reply = nlohmann::json::parse(std::move(frame).value(), nullptr, false);
            if (reply.is_discarded() || !reply.is_object())
                throw CliError(protocol::words::Internal, tr("agent.garbage", {path_}));
            // Notifications (tokens.changed) have no id; answers to others are not ours.
            if (!reply.contains("id") || reply["id"] != id) continue;
            return reply;
        }
    } catch (const CliError&) {
        throw;
    } catch (const std::exception& e) {
        throw CliError(protocol::words::Internal, tr("agent.io", {path_, e.what()}));
    }
}

nlohmann::json AgentClient::call(const std::string& method, const nlohmann::json& params) {
    nlohmann::json request{
        {"jsonrpc", "2.0"}, {"id", nextId_++}, {"method", method}, {"params", params}};
    auto reply = exchange(request);
    if (auto error = reply.find("error"); error != reply.end()) throw errorFrom(*error);
    auto result = reply.find("result");
    if (result == reply.end())
        throw CliError(protocol::words::Internal, tr("agent.garbage", {path_}));
    return *result;
}

}  // namespace firmante::cli
