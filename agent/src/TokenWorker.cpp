#include "firmante/agent/TokenWorker.h"

#include "firmante/agent/Logging.h"
#include "firmante/agent/RpcError.h"
#include "firmante/agent/TokenRegistry.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::agent {

TokenWorker::TokenWorker(std::shared_ptr<pkcs11::Module> module, pkcs11::TokenInfo info,
                         std::size_t maxQueue, std::chrono::seconds queueTimeout,
                         UnlockHolds* holds)
    : module_(std::move(module)),
      info_(std::move(info)),
      maxQueue_(maxQueue),
      queueTimeout_(queueTimeout),
      holds_(holds),
      holdKey_(TokenRegistry::keyOf(info_)),
      thread_([this] { run(); }) {}

TokenWorker::~TokenWorker() {
    stop(protocol::words::TokenRemoved);
    if (thread_.joinable()) thread_.join();
}

void TokenWorker::submit(std::string requestId, Job job, Completion done) {
    std::unique_lock lock(mutex_);
    if (stopping_) {
        lock.unlock();
        done(Outcome::failure(RpcError(stopReason_, "the token " + info_.label + " is gone")));
        return;
    }
    if (queue_.size() >= maxQueue_) {
        lock.unlock();
        done(Outcome::failure(
            RpcError(protocol::words::Busy,
                     "the token " + info_.label + " has too many requests waiting; try again")));
        return;
    }
    queue_.push_back(Pending{std::move(requestId), std::move(job), std::move(done),
                             std::chrono::steady_clock::now() + queueTimeout_});
    wake_.notify_one();
}

void TokenWorker::expireOverdue() {
    std::vector<Pending> overdue;
    {
        std::lock_guard lock(mutex_);
        const auto now = std::chrono::steady_clock::now();
        for (auto it = queue_.begin(); it != queue_.end();) {
            if (it->deadline <= now) {
                overdue.push_back(std::move(*it));
                it = queue_.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (auto& p : overdue) {
        RequestScope scope(p.requestId);
        logger("token")->warn("request waited too long for token {}", info_.label);
        p.done(Outcome::failure(RpcError(
            protocol::words::Timeout, "the request waited too long for the token " + info_.label)));
    }
}

void TokenWorker::lock() {
    // An empty job: execute() logs out after it, as the hold has ended.
    submit(
        "lock", [](pkcs11::Token&) { return nlohmann::json{}; }, [](Outcome) {});
}

void TokenWorker::stop(const std::string& reason) {
    if (holds_) holds_->endToken(holdKey_);
    std::deque<Pending> dropped;
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            stopping_ = true;
            stopReason_ = reason;
        }
        dropped.swap(queue_);
    }
    wake_.notify_all();
    for (auto& p : dropped) {
        p.done(Outcome::failure(
            RpcError(reason, "the token " + info_.label + " was removed before the request ran")));
    }
}

void TokenWorker::run() {
    for (;;) {
        Pending pending;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) break;  // stopping
            pending = std::move(queue_.front());
            queue_.pop_front();
        }
        execute(pending);
    }
    // The session must close on this thread's watch, before the module can go away.
    token_.reset();
    finished_ = true;
}

bool TokenWorker::present() const {
    try {
        (void)module_->tokenInfo(info_.slotId);
        return true;
    } catch (const pkcs11::Error& e) {
        return e.reason() != pkcs11::Reason::TokenNotPresent &&
               e.reason() != pkcs11::Reason::TokenRemoved;
    } catch (const std::exception&) {
        return true;  // no verdict: keep the original error
    }
}

void TokenWorker::execute(Pending& pending) {
    RequestScope scope(pending.requestId);
    Outcome outcome = runJob(pending);
    try {
        pending.done(std::move(outcome));
    } catch (const std::exception& e) {
        // An exception leaving this thread would end the agent.
        logger("token")->error("cannot deliver an answer: {}", e.what());
    }
}

Outcome TokenWorker::runJob(Pending& pending) {
    // The module is not re-initialised (TokenRegistry, issue 11 §7) from here to the logout.
    const auto inUse = module_->use();
    // A re-initialisation since the last job ended the session (it held no login): reopen.
    if (token_ && token_->stale()) token_.reset();
    Outcome outcome;
    try {
        if (std::chrono::steady_clock::now() > pending.deadline) {
            throw RpcError(protocol::words::Timeout,
                           "the request waited too long for the token " + info_.label);
        }
        if (!token_) token_.emplace(module_, info_.slotId);
        outcome = Outcome::success(pending.job(*token_));
    } catch (const std::exception& e) {
        outcome = Outcome::failure(RpcError::from(e));
        // A token pulled out in the middle of an operation often surfaces as whatever the
        // library in between made of it (libp11 and OpenSSL turn CKR_DEVICE_REMOVED into a
        // failed signature): ask the token itself before calling it INTERNAL.
        if (outcome.error->reason() == protocol::words::Internal && !present()) {
            outcome = Outcome::failure(
                RpcError(protocol::words::TokenRemoved,
                         "the token " + info_.label + " was removed during the operation"));
        }
        const auto& reason = outcome.error->reason();
        if (reason == protocol::words::TokenNotPresent || reason == protocol::words::TokenRemoved ||
            reason == protocol::words::Internal) {
            // The session may be dead (token pulled, device error): open a fresh one next time.
            token_.reset();
        }
    }
    // One login per operation (DESIGN §3 rule 2): whatever happened, the token is locked again —
    // unless a renewal of one site keeps it unlocked for its next steps (issue 12 §3).
    if (!token_ && holds_) holds_->endToken(holdKey_);
    // Whoever the job's Authorizer set to ask the per-signature PIN belongs to that job only.
    if (token_) token_->setContextLogin({});
    if (token_) {
        bool keep = false;
        try {
            keep = holds_ && holds_->held(holdKey_) && token_->loggedIn();
        } catch (const std::exception&) {
            keep = false;
        }
        if (!keep) {
            if (holds_) holds_->endToken(holdKey_);
            token_->logout();
        }
    }
    return outcome;
}

}  // namespace firmante::agent
