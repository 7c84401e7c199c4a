#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "firmante/agent/Limits.h"
#include "firmante/agent/TokenDirectory.h"
#include "firmante/agent/TokenWorker.h"
#include "firmante/agent/UnlockHolds.h"
#include "firmante/pkcs11/Module.h"
#include "firmante/pkcs11/Uri.h"

namespace firmante::agent {

/// The config's "tokens" member, for TokenRegistry.
struct TokenMonitoring {
    /// How often the slot list is read; once the module has reported a slot event, this or 5 s,
    /// whichever is longer (a fallback: events trigger the reads).
    std::chrono::milliseconds poll{500};
    /// Whether a module that reported no slot event may be re-initialised (TokenRegistry::refresh).
    bool reinitialize = true;
};

/// The loaded module, the tokens present, and one TokenWorker each. A monitor thread reads
/// Module::tokens() and reports changes: by polling, and at once on a slot event when the module
/// reports them (C_WaitForSlotEvent with CKF_DONT_BLOCK, asked every 500 ms, every 100 ms once
/// the module has reported one); and it
/// re-initialises a module that has reported no slot event, when nothing uses it, to find tokens
/// created since it started (docs/tokens.md "Tokens that come and go").
class TokenRegistry : public TokenDirectory {
  public:
    using ChangeListener = std::function<void(const std::vector<pkcs11::TokenInfo>&)>;

    using Monitoring = TokenMonitoring;

    TokenRegistry(std::shared_ptr<pkcs11::Module> module, Limits limits,
                  Monitoring monitoring = {});
    ~TokenRegistry();
    TokenRegistry(const TokenRegistry&) = delete;
    TokenRegistry& operator=(const TokenRegistry&) = delete;

    /// Logins kept for renewals (issue 12 §3): workers keep them, the monitor ends lapsed ones
    /// and removal ends a token's. Call before start(); `holds` must outlive the registry.
    void setUnlockHolds(UnlockHolds* holds) noexcept { holds_ = holds; }

    /// First scan (synchronously) and the monitor thread.
    void start(ChangeListener onChange);
    void stop();

    std::vector<pkcs11::TokenInfo> snapshot() const override;
    std::vector<std::shared_ptr<TokenWorker>> workers() const override;
    std::string modulePath() const override { return module_->path(); }
    /// tokens.list asks first: when the module might be hiding a token created since it started
    /// (no slot event seen, idle, not re-initialised in the last 5 s), the monitor re-initialises
    /// it and reads the slot list, then calls `then`; otherwise `then` is called right away.
    void refresh(std::function<void()> then) override;

    const pkcs11::Module& module() const noexcept { return *module_; }

    /// A token's identity for workers and kept logins: slot, serial and label.
    static std::string keyOf(const pkcs11::TokenInfo& info);

  private:
    using Clock = std::chrono::steady_clock;
    void scan(bool notify);
    void monitor();
    /// Whether the module said a slot changed; when it cannot say, polling from then on (and
    /// true, to read the slot list at once).
    bool slotEvent(bool atStart);
    std::chrono::milliseconds scanInterval() const;
    /// Re-initialises the module when the rule allows it; true when it did.
    bool maybeReinitialize(bool asked);
    bool mayReinitialize(Clock::time_point now) const;
    void housekeeping();

    std::shared_ptr<pkcs11::Module> module_;
    Limits limits_;
    Monitoring monitoring_;
    /// What the module has shown of C_WaitForSlotEvent(CKF_DONT_BLOCK): no event yet (asked every
    /// 500 ms, slot list read at the configured rate; SoftHSM answers CKR_NO_EVENT for ever), a
    /// reported event (asked every 100 ms, the slot list read less often, no re-initialisation),
    /// or no support.
    enum class Events { NoneYet, Reported, Unsupported };
    std::atomic<Events> events_{Events::NoneYet};
    // When the module was last initialised, and last re-initialised (kNever: not yet), in Clock
    // ticks. The first re-initialisation needs no wait: a token may have been made just before.
    static constexpr Clock::rep kNever = std::numeric_limits<Clock::rep>::min();
    std::atomic<Clock::rep> lastInit_{0};
    std::atomic<Clock::rep> lastReinit_{kNever};
    bool lastReinitFailed_ = false;                      // monitor thread only
    std::string lastNote_;                               // monitor thread only
    std::vector<std::function<void()>> refreshWaiters_;  // under stopMutex_
    ChangeListener onChange_;
    mutable std::mutex mutex_;
    std::vector<pkcs11::TokenInfo> tokens_;
    std::map<std::string, std::shared_ptr<TokenWorker>> workers_;  // by slot + serial + label
    std::vector<std::shared_ptr<TokenWorker>> retired_;
    std::mutex stopMutex_;
    std::condition_variable stopWake_;
    bool stopping_ = false;
    bool running_ = false;  // the monitor was started
    std::thread monitor_;
    UnlockHolds* holds_ = nullptr;
    // Consecutive polls in which the module could not list its tokens (monitor thread only).
    int listFailures_ = 0;
    static constexpr int kFailedPollsBeforeRemoval = 3;
    static constexpr std::chrono::milliseconds kEventTick{100};
    static constexpr std::chrono::milliseconds kHousekeeping{500};
    static constexpr std::chrono::seconds kEventFallbackPoll{5};
    static constexpr std::chrono::seconds kReinitSpacing{5};
    static constexpr std::chrono::seconds kIdleReinit{30};
};

}  // namespace firmante::agent
