#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
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

/// The loaded module, the tokens present, and one TokenWorker each. A monitor thread polls
/// Module::tokens() (SoftHSM has no C_WaitForSlotEvent) and reports changes.
class TokenRegistry : public TokenDirectory {
  public:
    using ChangeListener = std::function<void(const std::vector<pkcs11::TokenInfo>&)>;

    TokenRegistry(std::shared_ptr<pkcs11::Module> module, Limits limits,
                  std::chrono::milliseconds pollInterval = std::chrono::milliseconds(500));
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

    const pkcs11::Module& module() const noexcept { return *module_; }

    /// A token's identity for workers and kept logins: slot, serial and label.
    static std::string keyOf(const pkcs11::TokenInfo& info);

  private:
    void scan(bool notify);
    void monitor();

    std::shared_ptr<pkcs11::Module> module_;
    Limits limits_;
    std::chrono::milliseconds pollInterval_;
    ChangeListener onChange_;
    mutable std::mutex mutex_;
    std::vector<pkcs11::TokenInfo> tokens_;
    std::map<std::string, std::shared_ptr<TokenWorker>> workers_;  // by slot + serial + label
    std::vector<std::shared_ptr<TokenWorker>> retired_;
    std::mutex stopMutex_;
    std::condition_variable stopWake_;
    bool stopping_ = false;
    std::thread monitor_;
    UnlockHolds* holds_ = nullptr;
    // Consecutive polls in which the module could not list its tokens (monitor thread only).
    int listFailures_ = 0;
    static constexpr int kFailedPollsBeforeRemoval = 3;
};

}  // namespace firmante::agent
