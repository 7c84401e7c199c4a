#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "firmante/agent/ActivityLog.h"
#include "firmante/pkcs11/Types.h"

namespace firmante::agent {

/// What the tray shows, in the order it wins: a question waiting for the person beats a renewal
/// in progress, which beats a token present, which beats nothing at all.
enum class TrayState { Idle, TokenPresent, Renewing, WaitingForYou };

/// One certificate on a token, as the tray lists it (already safe to show).
struct CertificateSummary {
    std::string name;  // the subject's CN (or the whole subject), safeText
    std::string serialHex;
    std::chrono::system_clock::time_point notAfter;
};

/// One token present and its certificates.
struct TokenSummary {
    std::string label;  // safeText
    std::vector<CertificateSummary> certificates;
    bool certificatesRead = false;  // false until the token's worker has listed them
};

/// A site the person (or the administrator) allowed.
struct AllowedSite {
    std::string origin;
    bool byAdministrator = false;  // /etc/firmante/config.json: not the person's to revoke
};

/// Everything the tray shows at one moment.
struct StatusSnapshot {
    TrayState state = TrayState::Idle;
    std::vector<TokenSummary> tokens;
    std::vector<AllowedSite> sites;
    std::vector<Activity> activity;  // newest first
    std::filesystem::path logFile;
    bool agentRunning = false;
};

/// The agent's state for a desktop UI, shared between the agent's threads (which report) and the
/// UI (which reads and asks). The agent core knows nothing of Qt: a UI implements Observer and
/// hands the calls over to its own thread (they come on agent threads: the token monitor, the
/// I/O thread, token workers, the consent thread). Thread-safe. Observer calls are made without
/// the lock held, so an observer may call snapshot() directly.
class AgentStatus {
  public:
    class Observer {
      public:
        virtual ~Observer() = default;
        /// Anything in the snapshot changed.
        virtual void statusChanged() noexcept = 0;
        /// A token was inserted (`present`) or removed: for a notification. `label` is safe.
        virtual void tokenPresence(const std::string& label, bool present) noexcept = 0;
    };

    /// What the UI may ask of the running agent; installed by Agent::run and removed before the
    /// agent's parts go away.
    struct Controls {
        std::function<void()> stop;  // clean stop, as SIGTERM
        /// Forgets an allowed site; false when it is not the person's to forget.
        std::function<bool(const std::string& origin)> revokeSite;
        std::function<std::vector<AllowedSite>()> sites;
    };

    explicit AgentStatus(std::size_t activityCapacity = 20) : activity_(activityCapacity) {}

    /// At most one observer; nullptr detaches (call before the observer goes away).
    void setObserver(Observer* observer);

    void setControls(Controls controls, std::filesystem::path logFile);
    void clearControls();

    /// The tokens present now (the registry's scan). Tokens not in the previous list are
    /// reported as inserted, missing ones as removed, unless this is the first report.
    void setTokens(const std::vector<pkcs11::TokenInfo>& tokens);
    /// The certificates the token labelled `label` holds (read on its worker).
    void setCertificates(const std::string& label,
                         const std::vector<pkcs11::CertificateInfo>& certificates);
    void record(Activity activity);
    void renewalActive(const std::string& renewalId, bool active);
    void promptStarted();
    void promptEnded();

    StatusSnapshot snapshot() const;

    /// UI actions; false/no-op when the agent does not run.
    bool revokeSite(const std::string& origin);
    void requestStop();

  private:
    void notify(std::vector<std::pair<std::string, bool>> presence = {});

    mutable std::mutex mutex_;
    Observer* observer_ = nullptr;
    std::mutex observerMutex_;  // held while an observer call runs, so setObserver(nullptr) waits
    // Held while a control runs, so clearControls() waits for it: a control never runs on parts
    // of an agent that stopped.
    mutable std::mutex controlsMutex_;
    std::optional<Controls> controls_;
    std::filesystem::path logFile_;
    bool tokensKnown_ = false;
    std::vector<TokenSummary> tokens_;
    std::set<std::string> renewals_;
    int prompts_ = 0;
    ActivityLog activity_;
};

/// The state shown for these counts (TrayState's order).
TrayState trayStateOf(int promptsWaiting, std::size_t renewalsActive, std::size_t tokensPresent);

/// The certificate's CN for a person ("CN=EMPRESA SA,O=…" → "EMPRESA SA"), or the whole subject.
std::string commonNameOf(const std::string& subject);

}  // namespace firmante::agent
