#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace firmante::testing {

/// TEST DOUBLE of firmante-agent, for the relay's and the CLI's tests: listens on a Unix socket
/// and speaks the framing. Given an `answer`, it answers every request (the hello included) with
/// what that returns: a JSON-RPC response, or an array of frames to send (notifications first).
/// Without one it answers `transport.hello`, and for every later request
///   - `test.notify`: sends a `tokens.changed` notification, then a result;
///   - `test.oversized`: answers with a result of `params.size` bytes (default 1 MiB + 1000);
///   - `test.hold`: never answers (a prompt nobody answers);
///   - `test.die_holding`: leaves a child (`sleep 20`, pid in "<socket>.holder.pid") holding the
///     connection and exits at once (only in the separate fake agent process);
///   - anything else: echoes the request's `params` as its `result` (a request above 1 MiB is
///     answered, without parsing it, by a string result as long as the request).
/// It records every frame it receives and sends so tests can compare bytes.
class FakeAgent {
  public:
    using Answer = std::function<nlohmann::json(const nlohmann::json& request)>;
    explicit FakeAgent(std::string socketPath, Answer answer = {});
    ~FakeAgent();
    FakeAgent(const FakeAgent&) = delete;
    FakeAgent& operator=(const FakeAgent&) = delete;

    /// Serves connections on a background thread until destroyed.
    void start();
    /// Serves connections on the calling thread until `stop()` (from a signal, another thread)
    /// or, if `exitWhenIdle`, until the last client disconnects after at least one connected
    /// (or nobody has been connected for 30 s).
    void serve(bool exitWhenIdle = false);
    void stop();

    const std::string& socketPath() const { return socketPath_; }

    /// Frames received, in order, the hello included.
    std::vector<std::string> received() const;
    /// The same parsed (a frame that is not JSON is left out).
    std::vector<nlohmann::json> requests() const;
    /// Frames sent, in order, the hello reply included.
    std::vector<std::string> sent() const;
    int connections() const;

    /// Waits until `count` frames have been received or the timeout passes; returns success.
    bool waitForReceived(std::size_t count, std::chrono::milliseconds timeout) const;

    /// The hello reply of a fake agent 0.1.0-fake speaking protocol 1.
    static nlohmann::json helloReply();
    /// A JSON-RPC result for `request`.
    static nlohmann::json result(const nlohmann::json& request, nlohmann::json result);

  private:
    void handleFrame(int client, const std::string& body);
    void send(int client, const std::string& body);

    std::string socketPath_;
    Answer answer_;
    int listenFd_ = -1;
    int wakeFds_[2] = {-1, -1};
    std::thread thread_;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::vector<std::string> received_;
    std::vector<std::string> sent_;
    int connections_ = 0;
};

}  // namespace firmante::testing
