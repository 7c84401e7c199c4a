#include "Relay.h"

#include <poll.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <array>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <system_error>

#include "ErrorReply.h"
#include "firmante/nm/FdFrameIo.h"
#include "firmante/nm/JsonRpcScan.h"
#include "firmante/nm/Limits.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::nmhost {

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr int kProtocolVersion = 1;

// An agent frame above the browser's limit is never buffered: its first bytes are kept to find
// the response's id (the agent writes "id" before "result", as nlohmann's sorted keys do) and
// the rest is discarded as it arrives. So the relay holds at most 1 MiB from the agent.
constexpr std::size_t kAgentFrameLimit = nm::kMaxHostToBrowserFrame;
constexpr std::size_t kOversizedIdPrefix = 64 * 1024;

// What the browser reads when the agent goes away while it still owes answers.
constexpr std::string_view kAgentGone =
    "firmante-agent se detuvo antes de responder / firmante-agent stopped before answering";

// A request's or response's id as one canonical JSON text ("7", "\"a\""), so that the agent's
// re-serialised id matches the one the browser sent; nullopt when there is none.
std::optional<std::string> canonicalId(std::string_view body) {
    const auto raw = nm::findTopLevelId(body);
    if (!raw) return std::nullopt;
    const auto id = nlohmann::json::parse(*raw, nullptr, /*allow_exceptions=*/false);
    if (id.is_discarded() || !(id.is_string() || id.is_number())) return std::nullopt;
    return id.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// One read() from a descriptor poll() reported ready. Returns bytes read, 0 at end of stream.
std::size_t readSome(int fd, char* buffer, std::size_t size) {
    for (;;) {
        const ssize_t n = ::read(fd, buffer, size);
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "read");
    }
}

}  // namespace

Relay::Relay(int browserIn, int browserOut, int agentFd, std::size_t browserLimit,
             std::chrono::milliseconds helloTimeout, int agentProcess)
    : browserIn_(browserIn),
      browserOut_(browserOut),
      agentFd_(agentFd),
      agentProcess_(agentProcess),
      helloTimeout_(helloTimeout),
      browserDecoder_(browserLimit, nm::OversizePolicy::Stop),
      agentDecoder_(kAgentFrameLimit, nm::OversizePolicy::Skip, kOversizedIdPrefix) {}

Relay::Outcome Relay::run(std::string_view helloJson) {
    try {
        nm::writeFrame(agentFd_, helloJson);
        const auto helloDeadline = std::chrono::steady_clock::now() + helloTimeout_;
        for (;;) {
            // Until the hello is answered only the agent is read: the browser's requests wait
            // in the pipe, so none reaches an agent that may still refuse this connection.
            // A negative fd is ignored by poll(): without a process watch only the socket counts.
            std::array<pollfd, 3> fds{
                {{agentFd_, POLLIN, 0}, {browserIn_, POLLIN, 0}, {agentProcess_, POLLIN, 0}}};
            if (helloPending_) fds[1].fd = -1;
            int timeout = -1;
            if (helloPending_) {
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    helloDeadline - std::chrono::steady_clock::now());
                timeout = static_cast<int>(std::max<std::int64_t>(left.count(), 0));
            }
            const int ready = ::poll(fds.data(), fds.size(), timeout);
            if (ready < 0) {
                if (errno == EINTR) continue;
                throw std::system_error(errno, std::generic_category(), "poll");
            }
            if (ready == 0) {
                failToBrowser(protocol::words::Timeout,
                              "firmante-agent no respondió al saludo / firmante-agent did not "
                              "answer the hello");
                return Outcome::Failed;
            }
            if (fds[0].revents != 0 && !readAgent()) return Outcome::Failed;
            if (fds[2].revents != 0) {
                // Whatever the agent wrote before it died is still in the socket: pass it on
                // first, so only what it never answered gets the error.
                while (agentReadable()) {
                    if (!readAgent()) return Outcome::Failed;
                }
                spdlog::warn("the agent process exited");
                answerPendingAgentGone();
                failToBrowser(protocol::words::AgentNotRunning, kAgentGone);
                return Outcome::Failed;
            }
            if (fds[1].fd >= 0 && fds[1].revents != 0) {
                bool browserClosed = false;
                if (!readBrowser(browserClosed)) return Outcome::Failed;
                if (browserClosed) return Outcome::BrowserClosed;
            }
        }
    } catch (const std::system_error& error) {
        // EPIPE on stdout means the browser is gone: nobody left to tell.
        spdlog::error("relay stopped: {}", error.what());
        if (error.code().value() != EPIPE) {
            try {
                failToBrowser(protocol::words::Internal,
                              "Error interno del relé / Relay internal error");
            } catch (...) {
            }
        }
        return Outcome::Failed;
    }
}

bool Relay::readAgent() {
    std::array<char, kReadChunk> buffer;
    const std::size_t n = readSome(agentFd_, buffer.data(), buffer.size());
    if (n == 0) {
        spdlog::warn("the agent closed the connection");
        answerPendingAgentGone();
        failToBrowser(protocol::words::AgentNotRunning, kAgentGone);
        return false;
    }
    agentDecoder_.feed(std::string_view(buffer.data(), n));
    return handleAgentFrames();
}

bool Relay::handleAgentFrames() {
    while (auto result = agentDecoder_.next()) {
        if (result->isError()) {
            const auto id = nm::findTopLevelId(result->oversizedPrefix());
            const auto size = result->error().declaredLength().value_or(0);
            spdlog::warn("agent frame of {} bytes (id {}) exceeds the browser's limit", size,
                         id.value_or("unknown"));
            if (id) {
                if (const auto key = canonicalId(*id)) pending_.erase(*key);
            }
            sendToBrowser(oversizedResponseReply(id, static_cast<std::size_t>(size)));
            continue;
        }
        const std::string& body = result->body();
        if (helloPending_ && nm::findTopLevelId(body) == "\"hello\"") {
            if (!handleHelloReply(body)) return false;
            continue;
        }
        if (const auto key = canonicalId(body)) pending_.erase(*key);
        sendToBrowser(body);
    }
    return true;
}

bool Relay::handleHelloReply(const std::string& body) {
    helloPending_ = false;
    const auto reply = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (reply.is_discarded() || !reply.is_object()) {
        failToBrowser(protocol::words::ParseError,
                      "Respuesta ilegible de firmante-agent / Unreadable reply from "
                      "firmante-agent");
        return false;
    }
    if (auto error = reply.find("error"); error != reply.end()) {
        // The agent refused this connection (version, extension…): pass its words on.
        auto refusal = nlohmann::json{{"jsonrpc", "2.0"}, {"id", nullptr}, {"error", *error}};
        spdlog::error("the agent refused the hello: {}", error->dump());
        sendToBrowser(refusal.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        return false;
    }
    const auto result = reply.find("result");
    if (result == reply.end() || !result->is_object() ||
        result->value("protocolVersion", 0) != kProtocolVersion) {
        failToBrowser(protocol::words::VersionMismatch,
                      "Versión de protocolo incompatible con firmante-agent / Protocol version "
                      "mismatch with firmante-agent");
        return false;
    }
    spdlog::info("connected to firmante-agent {}", result->value("agentVersion", "?"));
    return true;
}

bool Relay::readBrowser(bool& browserClosed) {
    std::array<char, kReadChunk> buffer;
    const std::size_t n = readSome(browserIn_, buffer.data(), buffer.size());
    if (n == 0) {
        if (auto truncated = browserDecoder_.finish()) {
            spdlog::warn("browser closed the stream inside a frame: {}", truncated->what());
        }
        spdlog::info("browser closed stdin; exiting");
        browserClosed = true;
        return true;
    }
    browserDecoder_.feed(std::string_view(buffer.data(), n));
    while (auto result = browserDecoder_.next()) {
        if (result->isError()) {
            spdlog::error("browser frame refused: {}", result->error().what());
            const std::string limit = std::to_string(browserDecoder_.limit());
            failToBrowser(protocol::words::TooLarge,
                          "El mensaje excede el límite de " + limit +
                              " bytes / The message exceeds the limit of " + limit + " bytes");
            return false;
        }
        // Unchanged: the agent validates JSON and reads the extension's "origin" member.
        nm::writeFrame(agentFd_, result->body(), browserDecoder_.limit());
        if (pending_.size() < kMaxTrackedRequests) {
            if (auto key = canonicalId(result->body())) pending_.insert(std::move(*key));
        }
    }
    return true;
}

void Relay::sendToBrowser(const std::string& body) {
    nm::writeFrame(browserOut_, body, nm::kMaxHostToBrowserFrame);
}

void Relay::failToBrowser(std::string_view reason, std::string_view message) {
    sendToBrowser(errorReply(reason, message));
}

void Relay::answerPendingAgentGone() {
    for (const auto& id : pending_)
        sendToBrowser(errorReply(protocol::words::AgentNotRunning, kAgentGone, id));
    if (!pending_.empty())
        spdlog::warn("answered {} waiting request(s) for the agent", pending_.size());
    pending_.clear();
}

bool Relay::agentReadable() const {
    pollfd fd{agentFd_, POLLIN, 0};
    return ::poll(&fd, 1, 0) > 0 && (fd.revents & POLLIN) != 0;
}

}  // namespace firmante::nmhost
