#include "firmante/desktop/TrayIcon.h"

#include <QAction>
#include <QCoreApplication>
#include <QDesktopServices>
#include <QFont>
#include <QMenu>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QSystemTrayIcon>
#include <QUrl>

#include "firmante/agent/OriginPolicy.h"

namespace firmante::desktop {

namespace {

QString shown(Language language, const prompt::Bilingual& words) {
    return QString::fromStdString(in(language, words));
}

// A menu item's text is not plain text: "&" marks a shortcut. A site or file name is shown as
// it is.
QString menuText(Language language, const prompt::Bilingual& words) {
    return shown(language, words).replace(QLatin1Char('&'), QLatin1String("&&"));
}

}  // namespace

QIcon TrayIcon::iconFor(agent::TrayState state) {
    QIcon result;
    for (const int size : {16, 22, 24, 32, 48}) {
        QPixmap base = QPixmap(QStringLiteral(":/firmante/icon-48.png"))
                           .scaled(size, size, Qt::KeepAspectRatio, Qt::SmoothTransformation);
        if (state == agent::TrayState::Idle) {
            // No token: the same picture, faded, as a disabled button is.
            QPixmap faded(base.size());
            faded.fill(Qt::transparent);
            QPainter p(&faded);
            p.setOpacity(0.4);
            p.drawPixmap(0, 0, base);
            p.end();
            base = faded;
        } else if (state != agent::TrayState::TokenPresent) {
            QPainter p(&base);
            p.setRenderHint(QPainter::Antialiasing);
            const int d = size / 2;
            const QRect dot(size - d, size - d, d - 1, d - 1);
            p.setPen(QPen(Qt::white, std::max(1, size / 16)));
            p.setBrush(state == agent::TrayState::Renewing ? QColor(0x1e, 0x6f, 0xd9)
                                                           : QColor(0xf0, 0x8c, 0x00));
            p.drawEllipse(dot);
        }
        result.addPixmap(base);
    }
    return result;
}

TrayIcon::TrayIcon(agent::AgentStatus& status, prompt::Prompter& asker, Language language,
                   Clock now, QObject* parent)
    : QObject(parent),
      status_(status),
      asker_(asker),
      language_(language),
      now_(std::move(now)),
      icon_(new QSystemTrayIcon(this)),
      menu_(new QMenu()) {
    menu_->setToolTipsVisible(true);
    // The token and certificate lines are information, not commands, so they are disabled items;
    // the style's pale grey is too faint for them: a dark grey stays readable.
    QPalette palette = menu_->palette();
    for (const auto role : {QPalette::Text, QPalette::WindowText, QPalette::ButtonText})
        palette.setColor(QPalette::Disabled, role, QColor(0x50, 0x50, 0x50));
    menu_->setPalette(palette);
    connect(menu_, &QMenu::aboutToShow, this, [this] { rebuildMenu(); });
    connect(menu_, &QMenu::aboutToHide, this, [this] {
        // Rebuilt after the click that closes it has been handled, never under it.
        if (menuStale_)
            QMetaObject::invokeMethod(
                this, [this] { rebuildMenu(); }, Qt::QueuedConnection);
    });
    icon_->setContextMenu(menu_);
    // A left click opens the same menu: the person has nothing else to do with the icon. A
    // StatusNotifier host gives the icon no geometry: the menu opens where the click was.
    connect(icon_, &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason why) {
                if (why != QSystemTrayIcon::Trigger) return;
                menu_->popup(icon_->geometry().isValid() ? icon_->geometry().bottomLeft()
                                                         : QCursor::pos());
            });
    connect(icon_, &QSystemTrayIcon::messageClicked, this,
            [this] { menu_->popup(QCursor::pos()); });
    refresh();
    status_.setObserver(this);
}

TrayIcon::~TrayIcon() {
    // The agent's stop shut the prompter down, which answered any open question.
    if (asking_.joinable()) asking_.join();
    status_.setObserver(nullptr);
    // Cleared first: Qt's dbusmenu items (the StatusNotifierItem path) are freed only when a live
    // QMenu removes its actions, not when the menu is deleted.
    for (auto* submenu : submenus_) submenu->clear();
    menu_->clear();
    delete menu_;
}

void TrayIcon::show() {
    icon_->show();
}

void TrayIcon::statusChanged() noexcept {
    QMetaObject::invokeMethod(
        this, [this] { refresh(); }, Qt::QueuedConnection);
}

void TrayIcon::tokenPresence(const std::string& label, bool present) noexcept {
    try {
        const std::string name = "«" + label + "»";
        const prompt::Bilingual words =
            present ? prompt::Bilingual{"Se conectó el token " + name + ".",
                                        "The token " + name + " was connected."}
                    : prompt::Bilingual{
                          "Se desconectó el token " + name + ". Para firmar, vuelva a conectarlo.",
                          "The token " + name + " was disconnected. Connect it again to sign."};
        QMetaObject::invokeMethod(
            this, [this, words] { notify(shown(language_, words)); }, Qt::QueuedConnection);
    } catch (...) {
        // A notification lost for want of memory is not worth more than that.
    }
}

QString TrayIcon::toolTip() const {
    return icon_->toolTip();
}

void TrayIcon::setLanguage(Language language) {
    language_ = language;
    refresh();
}

void TrayIcon::refresh() {
    const auto status = status_.snapshot();
    const auto now = now_();
    if (status.state != state_ || icon_->icon().isNull()) {
        state_ = status.state;
        icon_->setIcon(iconFor(state_));
    }
    icon_->setToolTip(shown(language_, agent::trayTooltip(status, now)));
    if (menu_->isVisible()) {
        menuStale_ = true;
    } else {
        rebuildMenu();
    }
    announceExpiries(status);
}

void TrayIcon::announceExpiries(const agent::StatusSnapshot& status) {
    for (const auto& token : status.tokens) {
        for (const auto& c : token.certificates) {
            const auto notice = agent::expiryNotice(c, now_());
            if (!notice) continue;
            // Once per certificate and agent run: a reminder, not a nag.
            if (!announced_.insert(c.serialHex + "/" + agent::shownDate(c.notAfter)).second)
                continue;
            notify(shown(language_, notice->message));
        }
    }
}

void TrayIcon::rebuildMenu() {
    menuStale_ = false;
    menu_->clear();
    for (auto* submenu : submenus_) {
        submenu->clear();  // its dbusmenu items too (see ~TrayIcon)
        submenu->deleteLater();
    }
    submenus_.clear();
    QMenu* target = menu_;
    for (const auto& entry : agent::trayMenu(status_.snapshot(), now_())) {
        using Kind = agent::TrayMenuEntry::Kind;
        switch (entry.kind) {
            case Kind::Separator:
                target->addSeparator();
                continue;
            case Kind::BeginSubmenu: {
                // A child of the menu: gone with it at the latest.
                auto* submenu = new QMenu(menuText(language_, entry.text), menu_);
                submenu->setToolTipsVisible(true);
                submenu->setPalette(menu_->palette());
                submenus_.push_back(submenu);
                menu_->addMenu(submenu);
                target = submenu;
                continue;
            }
            case Kind::EndSubmenu:
                target = menu_;
                continue;
            default:
                break;
        }
        auto* item = target->addAction(menuText(language_, entry.text));
        if (!entry.detail.es.empty()) item->setToolTip(shown(language_, entry.detail));
        switch (entry.kind) {
            case Kind::Heading: {
                QFont bold = item->font();
                bold.setBold(true);
                item->setFont(bold);
                item->setEnabled(false);
                break;
            }
            case Kind::Text:
                item->setEnabled(false);
                break;
            case Kind::Warning:
            case Kind::Action:
                connect(item, &QAction::triggered, this, [this, entry] { trigger(entry); });
                break;
            default:
                break;
        }
    }
}

void TrayIcon::trigger(const agent::TrayMenuEntry& entry) {
    if (entry.kind == agent::TrayMenuEntry::Kind::Warning) {
        notify(shown(language_, entry.detail));
    } else if (entry.action == "revokeSite") {
        askToRevoke(entry.argument);
    } else if (entry.action == "openLog") {
        const auto path = QString::fromStdString(status_.snapshot().logFile.string());
        if (path.isEmpty() || !QDesktopServices::openUrl(QUrl::fromLocalFile(path))) {
            notify(shown(language_, {"No se pudo abrir la bitácora: ", "Cannot open the log: "}) +
                   path);
        }
    } else if (entry.action == "switchLanguage") {
        setLanguage(language_ == Language::Spanish ? Language::English : Language::Spanish);
    } else if (entry.action == "quit") {
        if (status_.snapshot().agentRunning) {
            status_.requestStop();  // the agent's end ends the GUI loop (main.cpp)
        } else {
            QCoreApplication::quit();
        }
    }
    rebuildMenu();
}

void TrayIcon::askToRevoke(const std::string& origin) {
    if (asking_.joinable()) return;  // one question at a time: the open one is answered first
    asking_ = std::thread([this, origin] {
        // Not on the GUI thread: the Prompter blocks until the person answers in a window that
        // the GUI thread draws. Nothing is revoked without the person's explicit yes.
        auto outcome = Revocation::Kept;
        status_.promptStarted();  // the icon shows "waiting for you", as for the agent's questions
        try {
            if (asker_.confirm(agent::revokeSitePrompt(origin)))
                outcome = status_.revokeSite(origin) ? Revocation::Revoked : Revocation::Failed;
        } catch (...) {
            outcome = Revocation::NotAsked;  // the agent is stopping, or no window could open
        }
        status_.promptEnded();
        const auto site = QString::fromStdString(origin);
        QMetaObject::invokeMethod(
            this, [this, site, outcome] { revokeAnswered(site, outcome); }, Qt::QueuedConnection);
    });
}

void TrayIcon::revokeAnswered(const QString& site, Revocation outcome) {
    if (asking_.joinable()) asking_.join();  // its last act was to post this
    switch (outcome) {
        case Revocation::Revoked:
            notify(shown(language_, {"Se quitó el permiso a ", "Revoked "}) + site + ".");
            break;
        case Revocation::Failed:
            notify(shown(language_, {"No se pudo quitar el permiso a ", "Could not revoke "}) +
                   site + shown(language_, {". Vea la bitácora.", ". See the log."}));
            break;
        case Revocation::Kept:
        case Revocation::NotAsked:
            break;  // nothing changed, nothing to announce
    }
    // A revoked site left the menu through the status's own report (refresh()).
}

void TrayIcon::notify(const QString& text) {
    lastMessage_ = QStringLiteral("Firmante: ") + text;
    if (icon_->isVisible() && QSystemTrayIcon::supportsMessages())
        icon_->showMessage(QStringLiteral("Firmante"), text, QSystemTrayIcon::Information, 8000);
    emit messageShown(QStringLiteral("Firmante"), text);
}

}  // namespace firmante::desktop
