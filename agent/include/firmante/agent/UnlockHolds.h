#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace firmante::agent {

/// One PIN per renewal (issue 12 §3, docs/security.md "One PIN per renewal"): which tokens stay
/// logged in after a renewal step, for which site and renewal, and until when. A hold ends at
/// renewal.finish or renewal.cancel, after `idle` without use, when the token goes away, when
/// another site needs the token, and with the agent. Thread-safe; holds no token itself (the
/// token's worker logs out, on its own thread).
class UnlockHolds {
  public:
    using Clock = std::chrono::steady_clock;

    /// `enabled` false is the config's "always ask" (pin.alwaysAsk): nothing is ever held.
    explicit UnlockHolds(bool enabled = true, std::chrono::seconds idle = std::chrono::minutes(10),
                         std::function<Clock::time_point()> now = &Clock::now);

    /// A step of `renewalId`, begun by `origin`, logged the token `tokenKey` in: keep it so.
    void hold(const std::string& tokenKey, const std::string& origin, const std::string& renewalId);
    /// Whether `origin` may use the kept login of `tokenKey` now; refreshes the idle clock. False
    /// when nothing is held, when the hold is another site's, or when it lapsed (then it ends).
    bool use(const std::string& tokenKey, const std::string& origin);
    /// Whether the token must stay logged in after an operation (a live hold).
    bool held(const std::string& tokenKey);
    /// The renewal ended: its hold (if any) ends.
    void endRenewal(const std::string& renewalId);
    /// The token went away, or its login must end: its hold (if any) ends.
    void endToken(const std::string& tokenKey);
    /// Ends every hold idle past the limit and returns their token keys, to be logged out.
    std::vector<std::string> expireIdle();

    bool enabled() const noexcept { return enabled_; }
    std::chrono::seconds idle() const noexcept { return idle_; }

  private:
    struct Hold {
        std::string origin;
        std::string renewalId;
        Clock::time_point lastUse;
    };
    bool lapsed(const Hold& hold) const;

    bool enabled_;
    std::chrono::seconds idle_;
    std::function<Clock::time_point()> now_;
    std::mutex mutex_;
    std::map<std::string, Hold> holds_;  // by TokenRegistry::keyOf
};

}  // namespace firmante::agent
