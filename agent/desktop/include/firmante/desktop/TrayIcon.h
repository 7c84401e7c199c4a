#pragma once

#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <QIcon>
#include <QObject>
#include <QString>

#include "firmante/agent/AgentStatus.h"
#include "firmante/agent/TrayMenuModel.h"
#include "firmante/desktop/Language.h"
#include "firmante/prompt/Prompter.h"

class QMenu;
class QSystemTrayIcon;

namespace firmante::desktop {

/// Firmante's icon in the desktop's tray (issue 12 §1): QSystemTrayIcon, which is a
/// StatusNotifierItem where the desktop offers one and an XEmbed icon otherwise. It shows the
/// agent's state, its menu is agent::trayMenu() turned into menu items, and it announces token
/// insertion and removal and certificates near their expiry. The agent's threads report through
/// agent::AgentStatus::Observer; every call is handed over to the GUI thread (queued), where the
/// widgets live. Construct and destroy it on the GUI thread; destroy it before `status`.
///
/// A menu entry that takes something away (revoking a site) asks the person first through
/// `asker` — Firmante's own dialogs in the agent, a fake in tests — on a thread of its own, since
/// a Prompter blocks until the person answers and the dialog itself needs the GUI thread. `asker`
/// must outlive the icon, and be shut down (or answer) before the icon is destroyed.
class TrayIcon : public QObject, public agent::AgentStatus::Observer {
    Q_OBJECT
  public:
    using Clock = std::function<std::chrono::system_clock::time_point()>;

    TrayIcon(agent::AgentStatus& status, prompt::Prompter& asker,
             Language language = languageFromEnvironment(),
             Clock now = &std::chrono::system_clock::now, QObject* parent = nullptr);
    ~TrayIcon() override;

    /// Shows the icon (when the desktop has a tray).
    void show();

    // agent::AgentStatus::Observer: any thread.
    void statusChanged() noexcept override;
    void tokenPresence(const std::string& label, bool present) noexcept override;

    /// GUI thread: reads the status again and redraws the icon, tooltip and menu.
    void refresh();
    void setLanguage(Language language);
    Language language() const noexcept { return language_; }

    agent::TrayState state() const noexcept { return state_; }
    QMenu* menu() const noexcept { return menu_; }
    QSystemTrayIcon* trayIcon() const noexcept { return icon_; }
    QString toolTip() const;
    /// The last notification shown (title and text), for tests.
    QString lastMessage() const { return lastMessage_; }
    /// A question asked from the menu (revoking a site) waits for its answer (GUI thread).
    bool questionOpen() const noexcept { return asking_.joinable(); }

    /// The icon drawn for a state: Firmante's icon, greyed when idle, with a blue dot during a
    /// renewal and an orange one while a question waits for the person.
    static QIcon iconFor(agent::TrayState state);

  signals:
    /// A notification was shown (GUI thread).
    void messageShown(const QString& title, const QString& text);

  private:
    void rebuildMenu();
    void trigger(const agent::TrayMenuEntry& entry);
    void notify(const QString& text);
    void announceExpiries(const agent::StatusSnapshot& status);
    /// What became of "revoke this site": asked on `asking_`, answered on the GUI thread.
    enum class Revocation { Kept, Revoked, Failed, NotAsked };
    void askToRevoke(const std::string& origin);
    void revokeAnswered(const QString& site, Revocation outcome);

    agent::AgentStatus& status_;
    prompt::Prompter& asker_;
    Language language_;
    Clock now_;
    QSystemTrayIcon* icon_;
    QMenu* menu_;
    std::vector<QMenu*> submenus_;
    agent::TrayState state_ = agent::TrayState::Idle;
    bool menuStale_ = false;
    std::set<std::string> announced_;  // certificates already announced (serial + date)
    QString lastMessage_;
    std::thread asking_;  // the menu's question, while one is open (one at a time)
};

}  // namespace firmante::desktop
