#include "firmante/agent/TokenRegistry.h"

#include <algorithm>

#include "firmante/agent/Logging.h"
#include "firmante/agent/RpcError.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::agent {

TokenRegistry::TokenRegistry(std::shared_ptr<pkcs11::Module> module, Limits limits,
                             std::chrono::milliseconds pollInterval)
    : module_(std::move(module)), limits_(limits), pollInterval_(pollInterval) {}

TokenRegistry::~TokenRegistry() {
    stop();
}

std::string TokenRegistry::keyOf(const pkcs11::TokenInfo& info) {
    return std::to_string(info.slotId) + "\n" + info.serial + "\n" + info.label;
}

void TokenRegistry::start(ChangeListener onChange) {
    onChange_ = std::move(onChange);
    scan(false);
    monitor_ = std::thread([this] { monitor(); });
}

void TokenRegistry::stop() {
    {
        std::lock_guard lock(stopMutex_);
        if (stopping_ && !monitor_.joinable()) return;
        stopping_ = true;
    }
    stopWake_.notify_all();
    if (monitor_.joinable()) monitor_.join();
    std::map<std::string, std::shared_ptr<TokenWorker>> workers;
    std::vector<std::shared_ptr<TokenWorker>> retired;
    {
        std::lock_guard lock(mutex_);
        workers.swap(workers_);
        retired.swap(retired_);
    }
    for (auto& [key, worker] : workers) worker->stop(protocol::words::Internal);
    // Destroying the workers joins their threads; their sessions close before the module.
    workers.clear();
    retired.clear();
}

void TokenRegistry::monitor() {
    for (;;) {
        {
            std::unique_lock lock(stopMutex_);
            if (stopWake_.wait_for(lock, pollInterval_, [this] { return stopping_; })) return;
        }
        scan(true);
        for (const auto& worker : workers()) worker->expireOverdue();
        if (holds_) {
            // A login kept for a renewal and unused for the idle limit is ended here, without
            // waiting for the next request (issue 12 §3).
            for (const auto& key : holds_->expireIdle()) {
                std::shared_ptr<TokenWorker> worker;
                {
                    std::lock_guard lock(mutex_);
                    if (auto it = workers_.find(key); it != workers_.end()) worker = it->second;
                }
                if (worker) {
                    logger("token")->info("token {} locked after {} s idle", worker->info().label,
                                          holds_->idle().count());
                    worker->lock();
                }
            }
        }
    }
}

void TokenRegistry::scan(bool notify) {
    std::vector<pkcs11::TokenInfo> now;
    try {
        now = module_->tokens();
        if (listFailures_ > 0)
            logger("token")->info("tokens can be listed again (after {} failed polls)",
                                  listFailures_);
        listFailures_ = 0;
    } catch (const std::exception& e) {
        // One line per failure streak, not one per poll; a module that keeps failing (SoftHSM
        // once its token folder is gone, a reader unplugged with its driver) no longer vouches
        // for the tokens it listed: after a few polls they are taken as removed, so that
        // tokens.list stops naming them and their waiting work ends with TOKEN_REMOVED.
        if (++listFailures_ == 1) logger("token")->warn("cannot list tokens: {}", e.what());
        if (listFailures_ < kFailedPollsBeforeRemoval) return;
        if (listFailures_ == kFailedPollsBeforeRemoval)
            logger("token")->warn(
                "the module has not listed its tokens for {} polls; they are "
                "taken as removed until it does",
                listFailures_);
    }
    bool changed = false;
    std::vector<std::shared_ptr<TokenWorker>> removed;
    {
        std::lock_guard lock(mutex_);
        std::map<std::string, std::shared_ptr<TokenWorker>> next;
        for (const auto& info : now) {
            const auto key = keyOf(info);
            if (auto it = workers_.find(key); it != workers_.end()) {
                next.emplace(key, std::move(it->second));
                workers_.erase(it);
            } else {
                logger("token")->info("token present: {} (slot {})", info.label, info.slotId);
                next.emplace(key, std::make_shared<TokenWorker>(module_, info, limits_.queueLength,
                                                                limits_.queueTimeout, holds_));
                changed = true;
            }
        }
        for (auto& [key, worker] : workers_) {
            logger("token")->info("token removed: {}", worker->info().label);
            removed.push_back(worker);
            changed = true;
        }
        workers_.swap(next);
        tokens_ = now;
        // Join retired workers only once their thread has ended, so the monitor never waits
        // for a prompt a person has not answered yet.
        std::erase_if(retired_, [](const auto& w) { return w->finished(); });
        for (auto& w : removed) retired_.push_back(w);
    }
    for (auto& worker : removed) worker->stop(protocol::words::TokenRemoved);
    if (changed && notify && onChange_) onChange_(now);
}

std::vector<pkcs11::TokenInfo> TokenRegistry::snapshot() const {
    std::lock_guard lock(mutex_);
    return tokens_;
}

std::vector<std::shared_ptr<TokenWorker>> TokenRegistry::workers() const {
    std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<TokenWorker>> out;
    for (const auto& [key, worker] : workers_) out.push_back(worker);
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a->info().slotId < b->info().slotId; });
    return out;
}

}  // namespace firmante::agent
