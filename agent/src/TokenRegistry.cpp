#include "firmante/agent/TokenRegistry.h"

#include <algorithm>

#include "firmante/agent/Logging.h"
#include "firmante/agent/RpcError.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/protocol/MethodTable.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::agent {

TokenRegistry::TokenRegistry(std::shared_ptr<pkcs11::Module> module, Limits limits,
                             Monitoring monitoring)
    : module_(std::move(module)), limits_(limits), monitoring_(monitoring) {}

TokenRegistry::~TokenRegistry() {
    stop();
}

std::string TokenRegistry::keyOf(const pkcs11::TokenInfo& info) {
    return std::to_string(info.slotId) + "\n" + info.serial + "\n" + info.label;
}

std::chrono::milliseconds TokenRegistry::scanInterval() const {
    if (events_ != Events::Reported) return monitoring_.poll;
    return std::max<std::chrono::milliseconds>(monitoring_.poll, kEventFallbackPoll);
}

void TokenRegistry::start(ChangeListener onChange) {
    onChange_ = std::move(onChange);
    lastInit_ = Clock::now().time_since_epoch().count();
    // The agent logged what the module printed at start; a re-initialisation that prints the
    // same (through p11-kit, the registered module that cannot start) adds no line.
    lastNote_ = module_->startupNote();
    // Asked once before the first scan, so that what happened before it is not reported again.
    slotEvent(true);
    if (events_ == Events::Unsupported) {
        logger("token")->info(
            "the module has no C_WaitForSlotEvent: its slot list is read every {} ms",
            monitoring_.poll.count());
    } else if (events_ == Events::NoneYet) {
        logger("token")->info(
            "the module's slot list is read every {} ms, and at once when it reports a slot "
            "event (C_WaitForSlotEvent, asked every {} ms until it reports one, then every {} ms)",
            monitoring_.poll.count(), kHousekeeping.count(), kEventTick.count());
    }
    scan(false);
    {
        std::lock_guard lock(stopMutex_);
        running_ = true;
    }
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
    std::vector<std::function<void()>> waiting;
    {
        std::lock_guard lock(stopMutex_);
        waiting.swap(refreshWaiters_);
    }
    for (auto& then : waiting) then();
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

void TokenRegistry::refresh(std::function<void()> then) {
    {
        std::lock_guard lock(stopMutex_);
        // Only when a re-initialisation may happen now: tokens.list never waits otherwise.
        if (running_ && !stopping_ && mayReinitialize(Clock::now()) && !module_->busy()) {
            refreshWaiters_.push_back(std::move(then));
            stopWake_.notify_all();
            return;
        }
    }
    then();
}

void TokenRegistry::monitor() {
    auto nextScan = Clock::now() + scanInterval();
    auto nextChores = Clock::now() + kHousekeeping;
    for (;;) {
        std::vector<std::function<void()>> asked;
        {
            std::unique_lock lock(stopMutex_);
            auto wakeAt = std::min(nextScan, nextChores);
            // A module that has reported events is asked every 100 ms; one that has not (SoftHSM
            // never will) only at the wake-ups the monitor has anyway (at most kHousekeeping
            // apart): no extra wake-ups at idle for a module without events.
            if (events_ == Events::Reported) wakeAt = std::min(wakeAt, Clock::now() + kEventTick);
            stopWake_.wait_until(lock, wakeAt,
                                 [this] { return stopping_ || !refreshWaiters_.empty(); });
            if (stopping_) return;  // stop() answers the waiters
            asked.swap(refreshWaiters_);
        }
        bool due = !asked.empty() || Clock::now() >= nextScan;
        if (events_ != Events::Unsupported && slotEvent(false)) due = true;
        if (maybeReinitialize(!asked.empty())) due = true;
        if (due) {
            scan(true);
            nextScan = Clock::now() + scanInterval();
        }
        for (auto& then : asked) then();
        if (Clock::now() >= nextChores) {
            housekeeping();
            nextChores = Clock::now() + kHousekeeping;
        }
    }
}

bool TokenRegistry::slotEvent(bool atStart) {
    try {
        switch (module_->slotEvents()) {
            case pkcs11::Module::SlotEvents::Changed:
                // SoftHSM answers CKR_NO_EVENT for ever: only a module that reported an event is
                // trusted with it, and only then is the slot list read less often.
                if (events_.exchange(Events::Reported) != Events::Reported)
                    logger("token")->info(
                        "the module reports slot events (C_WaitForSlotEvent): its slot list is "
                        "read at each one, and every {} s",
                        std::chrono::duration_cast<std::chrono::seconds>(scanInterval()).count());
                return true;
            case pkcs11::Module::SlotEvents::None:
                return false;
            case pkcs11::Module::SlotEvents::NotReported:
                break;
        }
    } catch (const std::exception& e) {
        logger("token")->warn("C_WaitForSlotEvent failed: {}", e.what());
    }
    // Polling only from now on; read the slot list at once in case the failure hid a change.
    if (!atStart && events_ != Events::Unsupported)
        logger("token")->warn("slot events no longer asked: the slot list is read every {} ms",
                              monitoring_.poll.count());
    events_ = Events::Unsupported;
    return true;
}

void TokenRegistry::housekeeping() {
    for (const auto& worker : workers()) worker->expireOverdue();
    if (!holds_) return;
    // A login kept for a renewal and unused for the idle limit is ended here, without waiting
    // for the next request (issue 12 §3).
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

bool TokenRegistry::mayReinitialize(Clock::time_point now) const {
    if (!monitoring_.reinitialize || events_ == Events::Reported) return false;
    const auto last = lastReinit_.load();
    return last == kNever || now - Clock::time_point(Clock::duration(last)) >= kReinitSpacing;
}

// The rule (docs/tokens.md "Tokens that come and go"): a module without slot events may read its
// tokens only when it starts (SoftHSM its token folder); it is finalized and initialised again
// when that can matter — a client asks for the token list, or the module lists no usable token
// (every 30 s) — at most once every 5 s, and only while nothing uses it: no operation running (a
// PIN prompt included), no login standing (a renewal's kept login), see Module::reinitialize.
bool TokenRegistry::maybeReinitialize(bool asked) {
    const auto now = Clock::now();
    if (!mayReinitialize(now)) return false;
    bool none = false;
    {
        std::lock_guard lock(mutex_);
        none = tokens_.empty();
    }
    const auto since = now - Clock::time_point(Clock::duration(lastInit_.load()));
    if (!asked && module_->initialized() && !(none && since >= kIdleReinit)) return false;
    auto result = module_->reinitialize();
    using Outcome = pkcs11::Module::Reinitialization::Outcome;
    if (result.outcome == Outcome::Busy) return false;
    lastInit_ = lastReinit_ = now.time_since_epoch().count();
    if (result.outcome == Outcome::Failed) {
        if (!lastReinitFailed_)
            logger("token")->warn(
                "the module did not start again after being re-initialised to look for new "
                "tokens ({}); trying again every {} s",
                result.error, kReinitSpacing.count());
        lastReinitFailed_ = true;
        return true;
    }
    if (lastReinitFailed_) logger("token")->info("the module started again");
    lastReinitFailed_ = false;
    // One line per new text, not one per re-initialisation.
    if (!result.note.empty() && result.note != lastNote_)
        logger("token")->warn(
            "PKCS#11 module output while re-initialising, kept out of the terminal: {}",
            result.note);
    lastNote_ = result.note;
    logger("token")->debug("module re-initialised to look for new tokens ({})",
                           asked ? protocol::methods::names::TokensList : "no token listed");
    return true;
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
