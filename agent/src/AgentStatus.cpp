#include "firmante/agent/AgentStatus.h"

#include <algorithm>

#include "firmante/prompt/SafeText.h"

namespace firmante::agent {

TrayState trayStateOf(int promptsWaiting, std::size_t renewalsActive, std::size_t tokensPresent) {
    if (promptsWaiting > 0) return TrayState::WaitingForYou;
    if (renewalsActive > 0) return TrayState::Renewing;
    if (tokensPresent > 0) return TrayState::TokenPresent;
    return TrayState::Idle;
}

std::string commonNameOf(const std::string& subject) {
    // RFC 2253 one-line: "CN=…,O=…" with "\," for a comma inside a value.
    for (std::size_t at = 0; at < subject.size();) {
        std::size_t end = at;
        while (end < subject.size() && subject[end] != ',') end += subject[end] == '\\' ? 2 : 1;
        end = std::min(end, subject.size());
        const std::string part = subject.substr(at, end - at);
        if (part.rfind("CN=", 0) == 0 && part.size() > 3) {
            std::string value;
            for (std::size_t i = 3; i < part.size(); ++i) {
                if (part[i] == '\\' && i + 1 < part.size()) ++i;
                value += part[i];
            }
            return value;
        }
        at = end + 1;
    }
    return subject;
}

void AgentStatus::setObserver(Observer* observer) {
    std::lock_guard calls(observerMutex_);
    std::lock_guard lock(mutex_);
    observer_ = observer;
}

void AgentStatus::setControls(Controls controls, std::filesystem::path logFile) {
    {
        std::lock_guard running(controlsMutex_);
        std::lock_guard lock(mutex_);
        controls_ = std::move(controls);
        logFile_ = std::move(logFile);
    }
    notify();
}

void AgentStatus::clearControls() {
    {
        std::lock_guard running(controlsMutex_);
        std::lock_guard lock(mutex_);
        controls_.reset();
        prompts_ = 0;
        renewals_.clear();
    }
    notify();
}

void AgentStatus::setTokens(const std::vector<pkcs11::TokenInfo>& tokens) {
    std::vector<std::pair<std::string, bool>> presence;
    {
        std::lock_guard lock(mutex_);
        std::vector<TokenSummary> next;
        for (const auto& info : tokens) {
            const auto label = prompt::safeText(info.label, prompt::kShownLabel);
            const auto old = std::find_if(tokens_.begin(), tokens_.end(),
                                          [&](const auto& t) { return t.label == label; });
            if (old != tokens_.end()) {
                next.push_back(std::move(*old));
                tokens_.erase(old);
            } else {
                next.push_back(TokenSummary{label, {}, false});
                if (tokensKnown_) presence.emplace_back(label, true);
            }
        }
        if (tokensKnown_) {
            for (const auto& gone : tokens_) presence.emplace_back(gone.label, false);
        }
        tokens_ = std::move(next);
        tokensKnown_ = true;
    }
    notify(std::move(presence));
}

void AgentStatus::setCertificates(const std::string& label,
                                  const std::vector<pkcs11::CertificateInfo>& certificates) {
    {
        std::lock_guard lock(mutex_);
        const auto shown = prompt::safeText(label, prompt::kShownLabel);
        auto token = std::find_if(tokens_.begin(), tokens_.end(),
                                  [&](const auto& t) { return t.label == shown; });
        if (token == tokens_.end()) return;  // removed meanwhile
        token->certificates.clear();
        for (const auto& c : certificates) {
            token->certificates.push_back(
                {prompt::safeText(commonNameOf(c.subject), prompt::kShownSubject), c.serialHex,
                 c.notAfter});
        }
        token->certificatesRead = true;
    }
    notify();
}

void AgentStatus::record(Activity activity) {
    {
        std::lock_guard lock(mutex_);
        activity_.add(std::move(activity));
    }
    notify();
}

void AgentStatus::renewalActive(const std::string& renewalId, bool active) {
    {
        std::lock_guard lock(mutex_);
        if (active) {
            // Bounded like everything a page can make the agent hold.
            if (renewals_.size() >= 64) return;
            if (!renewals_.insert(renewalId).second) return;
        } else if (renewals_.erase(renewalId) == 0) {
            return;
        }
    }
    notify();
}

void AgentStatus::promptStarted() {
    {
        std::lock_guard lock(mutex_);
        ++prompts_;
    }
    notify();
}

void AgentStatus::promptEnded() {
    {
        std::lock_guard lock(mutex_);
        if (prompts_ > 0) --prompts_;
    }
    notify();
}

StatusSnapshot AgentStatus::snapshot() const {
    std::lock_guard running(controlsMutex_);
    StatusSnapshot s;
    std::function<std::vector<AllowedSite>()> sites;
    {
        std::lock_guard lock(mutex_);
        s.state = trayStateOf(prompts_, renewals_.size(), tokens_.size());
        s.tokens = tokens_;
        s.activity = activity_.recent();
        s.logFile = logFile_;
        s.agentRunning = controls_.has_value();
        if (controls_) sites = controls_->sites;
    }
    if (sites) s.sites = sites();
    return s;
}

bool AgentStatus::revokeSite(const std::string& origin) {
    bool done = false;
    {
        std::lock_guard running(controlsMutex_);
        std::function<bool(const std::string&)> revoke;
        {
            std::lock_guard lock(mutex_);
            if (controls_) revoke = controls_->revokeSite;
        }
        done = revoke && revoke(origin);
    }
    if (done) notify();
    return done;
}

void AgentStatus::requestStop() {
    std::lock_guard running(controlsMutex_);
    std::function<void()> stop;
    {
        std::lock_guard lock(mutex_);
        if (controls_) stop = controls_->stop;
    }
    if (stop) stop();
}

void AgentStatus::notify(std::vector<std::pair<std::string, bool>> presence) {
    std::lock_guard calls(observerMutex_);
    Observer* observer;
    {
        std::lock_guard lock(mutex_);
        observer = observer_;
    }
    if (!observer) return;
    for (const auto& [label, present] : presence) observer->tokenPresence(label, present);
    observer->statusChanged();
}

}  // namespace firmante::agent
