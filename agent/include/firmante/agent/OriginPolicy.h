#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "firmante/agent/ConfigStore.h"
#include "firmante/agent/RpcError.h"
#include "firmante/prompt/Prompter.h"

namespace firmante::agent {

/// The question a new site gets (both languages; the site shown escaped and shortened): the one
/// text every transport's consent uses, and the desktop's tests draw.
prompt::PromptText siteConsentPrompt(const std::string& origin);

/// The question before a site's permission is revoked (the tray's "Quitar el permiso a …"): a
/// Destructive one, whose safe button ("Conservar" / "Keep") is the default, naming the site and
/// saying what revoking means.
prompt::PromptText revokeSitePrompt(const std::string& origin);

/// DESIGN §3 rule 3: origins outside the allowlist are refused unless the person approves them
/// in the agent's own prompt; an approval is remembered in the config file.
///
/// Consent has one queue for every transport (WebSocket, native messaging, CLI-attested
/// origins): one question at a time, one question per origin however many requests wait for it.
/// A refusal is remembered for the origin's registrable site (`siteOf`), so neither reconnecting
/// nor ten subdomains of the same site bring the question back.
class OriginPolicy {
  public:
    struct Settings {
        /// A refused site is refused without asking for this long.
        std::chrono::seconds refusalMemory{600};
        /// Distinct origins waiting for a question; more are refused at once (not remembered).
        std::size_t maxWaitingOrigins = 16;
        /// Requests waiting for the same origin's answer.
        std::size_t maxWaitersPerOrigin = 64;
    };
    /// nullopt: allowed; else the ORIGIN_NOT_ALLOWED error for the request.
    using Answer = std::function<void(std::optional<RpcError>)>;

    OriginPolicy(ConfigStore& config, prompt::Prompter& prompter);
    OriginPolicy(ConfigStore& config, prompt::Prompter& prompter, Settings settings);
    ~OriginPolicy();
    OriginPolicy(const OriginPolicy&) = delete;
    OriginPolicy& operator=(const OriginPolicy&) = delete;

    /// Cheap check, any thread.
    bool allowed(const std::string& origin) const { return config_.originAllowed(origin); }
    /// The origin's site was refused a short while ago (asking would be refused at once).
    bool refusedRecently(const std::string& origin);
    /// Calls `answer` exactly once (unless stop() comes first): at once when the origin is
    /// allowed or its site was refused, else on the consent thread after the person decides.
    /// Never blocks, never throws.
    void ask(const std::string& origin, Answer answer) noexcept;
    /// Blocking form of ask(). Throws RpcError(ORIGIN_NOT_ALLOWED) when refused.
    void authorize(const std::string& origin);
    /// Drops waiting questions (their answers are never called) and waits for the one being
    /// asked. Idempotent; call before the users of the answers go away.
    void stop() noexcept;

  private:
    void decide(const std::string& origin);
    std::optional<RpcError> question(const std::string& origin);
    bool refusedLocked(const std::string& site);

    ConfigStore& config_;
    prompt::Prompter& prompter_;
    const Settings settings_;
    std::mutex mutex_;
    std::map<std::string, std::vector<Answer>> waiting_;  // by origin
    std::map<std::string, std::chrono::steady_clock::time_point> refusedSites_;
    bool stopped_ = false;
    boost::asio::thread_pool consent_{1};  // the person answers one question at a time
};

}  // namespace firmante::agent
