#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace firmante::cli::test {

/// A stand-in agent on a Unix socket, speaking the conventions' framing: it records every
/// request and answers each with what `answer` returns (a full JSON-RPC response, or several
/// frames when it returns an array, to send notifications first).
class FakeAgent {
  public:
    using Answer = std::function<nlohmann::json(const nlohmann::json& request)>;
    FakeAgent(std::string socketPath, Answer answer);
    ~FakeAgent();
    FakeAgent(const FakeAgent&) = delete;
    FakeAgent& operator=(const FakeAgent&) = delete;

    std::vector<nlohmann::json> requests() const;
    int connections() const { return connections_; }

    /// The standard hello reply.
    static nlohmann::json helloReply();
    static nlohmann::json result(const nlohmann::json& request, nlohmann::json result);

  private:
    void serve();
    void handle(int fd);

    std::string path_;
    Answer answer_;
    int listener_ = -1;
    int stopPipe_[2] = {-1, -1};
    std::atomic<int> connections_{0};
    mutable std::mutex mutex_;
    std::vector<nlohmann::json> requests_;
    std::thread thread_;
};

}  // namespace firmante::cli::test
