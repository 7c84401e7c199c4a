#include "firmante/agent/UnlockHolds.h"

namespace firmante::agent {

UnlockHolds::UnlockHolds(bool enabled, std::chrono::seconds idle,
                         std::function<Clock::time_point()> now)
    : enabled_(enabled), idle_(idle), now_(std::move(now)) {}

bool UnlockHolds::lapsed(const Hold& hold) const {
    return now_() - hold.lastUse >= idle_;
}

void UnlockHolds::hold(const std::string& tokenKey, const std::string& origin,
                       const std::string& renewalId) {
    if (!enabled_) return;
    std::lock_guard lock(mutex_);
    holds_[tokenKey] = Hold{origin, renewalId, now_()};
}

bool UnlockHolds::use(const std::string& tokenKey, const std::string& origin) {
    std::lock_guard lock(mutex_);
    const auto it = holds_.find(tokenKey);
    if (it == holds_.end()) return false;
    if (lapsed(it->second)) {
        holds_.erase(it);
        return false;
    }
    if (it->second.origin != origin) return false;
    it->second.lastUse = now_();
    return true;
}

bool UnlockHolds::held(const std::string& tokenKey) {
    std::lock_guard lock(mutex_);
    const auto it = holds_.find(tokenKey);
    return it != holds_.end() && !lapsed(it->second);
}

void UnlockHolds::endRenewal(const std::string& renewalId) {
    std::lock_guard lock(mutex_);
    std::erase_if(holds_, [&](const auto& entry) { return entry.second.renewalId == renewalId; });
}

void UnlockHolds::endToken(const std::string& tokenKey) {
    std::lock_guard lock(mutex_);
    holds_.erase(tokenKey);
}

std::vector<std::string> UnlockHolds::expireIdle() {
    std::vector<std::string> ended;
    std::lock_guard lock(mutex_);
    for (auto it = holds_.begin(); it != holds_.end();) {
        if (lapsed(it->second)) {
            ended.push_back(it->first);
            it = holds_.erase(it);
        } else {
            ++it;
        }
    }
    return ended;
}

}  // namespace firmante::agent
