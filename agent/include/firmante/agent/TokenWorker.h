#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "firmante/agent/Outcome.h"
#include "firmante/agent/UnlockHolds.h"
#include "firmante/pkcs11/Module.h"
#include "firmante/pkcs11/Token.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::agent {

/// The one thread that touches one token (DESIGN §3 rule 7). It owns the pkcs11::Token (opened
/// on first use, reopened after a failure), runs queued jobs in order, logs out after each (unless
/// `holds` keeps the token unlocked for a renewal, issue 12 §3), and
/// answers BUSY when the queue is full, TIMEOUT when a job waited too long, TOKEN_REMOVED when
/// the token goes away.
class TokenWorker {
  public:
    using Job = std::function<nlohmann::json(pkcs11::Token&)>;

    TokenWorker(std::shared_ptr<pkcs11::Module> module, pkcs11::TokenInfo info,
                std::size_t maxQueue, std::chrono::seconds queueTimeout,
                UnlockHolds* holds = nullptr);
    /// Stops (failing what is queued with TOKEN_REMOVED) and joins.
    ~TokenWorker();
    TokenWorker(const TokenWorker&) = delete;
    TokenWorker& operator=(const TokenWorker&) = delete;

    /// Queues `job`; `done` is called exactly once, possibly right away (BUSY, stopped).
    void submit(std::string requestId, Job job, Completion done);

    /// Fails jobs that have waited past their deadline with TIMEOUT (called by the monitor).
    void expireOverdue();
    /// The token's kept login lapsed: logs it out on the worker's thread (queued like a request).
    void lock();
    /// The token went away: pending jobs fail with `reason`, the thread ends after the current one.
    void stop(const std::string& reason);
    bool finished() const noexcept { return finished_; }

    const pkcs11::TokenInfo& info() const noexcept { return info_; }

  private:
    struct Pending {
        std::string requestId;
        Job job;
        Completion done;
        std::chrono::steady_clock::time_point deadline;
    };
    void run();
    void execute(Pending& pending);
    /// The job and the logout after it, under a Module::Use.
    Outcome runJob(Pending& pending);
    /// Whether the token is still in its slot (C_GetTokenInfo answers), for naming a failure.
    bool present() const;

    std::shared_ptr<pkcs11::Module> module_;
    pkcs11::TokenInfo info_;
    std::size_t maxQueue_;
    std::chrono::seconds queueTimeout_;
    UnlockHolds* holds_;
    std::string holdKey_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Pending> queue_;
    bool stopping_ = false;
    std::string stopReason_ = protocol::words::TokenRemoved;
    std::atomic<bool> finished_{false};
    std::optional<pkcs11::Token> token_;  // only touched on thread_
    std::thread thread_;
};

}  // namespace firmante::agent
