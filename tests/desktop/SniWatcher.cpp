// A minimal desktop on a private D-Bus session bus, for tests/desktop/XvfbSniTest.cpp: what a
// tray host (KDE's plasmashell, GNOME's AppIndicator extension) offers an application, and no
// more. It owns
//   org.kde.StatusNotifierWatcher at /StatusNotifierWatcher: RegisterStatusNotifierItem,
//     RegisterStatusNotifierHost, the properties RegisteredStatusNotifierItems,
//     IsStatusNotifierHostRegistered (true, or false with --no-host) and ProtocolVersion, and the
//     signals StatusNotifierItemRegistered/Unregistered;
//   org.freedesktop.Notifications at /org/freedesktop/Notifications: Notify records the text.
// It reports on stdout, one line each, flushed: "ready" once it owns both names, "item SERVICE
// PATH" for every registration, "gone SERVICE" when an item's owner leaves the bus, and
// "notify SUMMARY<TAB>BODY" (line ends in BODY as " / "). The test waits on these lines.
#include <cstdio>
#include <cstring>

#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusContext>
#include <QDBusMessage>
#include <QDBusServiceWatcher>
#include <QStringList>
#include <QVariantMap>

namespace {

void report(const QString& line) {
    std::fputs(line.toUtf8().constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

class Watcher : public QObject, protected QDBusContext {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.kde.StatusNotifierWatcher")
    Q_PROPERTY(QStringList RegisteredStatusNotifierItems READ registeredItems)
    Q_PROPERTY(bool IsStatusNotifierHostRegistered READ hostRegistered)
    Q_PROPERTY(int ProtocolVersion READ protocolVersion)

  public:
    explicit Watcher(bool host) : host_(host) {
        gone_.setConnection(QDBusConnection::sessionBus());
        gone_.setWatchMode(QDBusServiceWatcher::WatchForUnregistration);
        connect(&gone_, &QDBusServiceWatcher::serviceUnregistered, this,
                [this](const QString& service) {
                    for (auto it = items_.begin(); it != items_.end();) {
                        if (it->startsWith(service + "/")) {
                            emit StatusNotifierItemUnregistered(*it);
                            it = items_.erase(it);
                        } else {
                            ++it;
                        }
                    }
                    gone_.removeWatchedService(service);
                    report("gone " + service);
                });
    }
    QStringList registeredItems() const { return items_; }
    bool hostRegistered() const { return host_; }
    int protocolVersion() const { return 0; }

  public slots:
    // An item names its bus name (Qt, KDE) or only its object path (libappindicator); either
    // way the item lives at SERVICE + PATH, SERVICE the sender's when only a path is given.
    void RegisterStatusNotifierItem(const QString& serviceOrPath) {
        QString service = serviceOrPath;
        QString path = QStringLiteral("/StatusNotifierItem");
        if (serviceOrPath.startsWith('/')) {
            service = message().service();
            path = serviceOrPath;
        }
        const QString item = service + path;
        if (!items_.contains(item)) items_ << item;
        gone_.addWatchedService(service);
        report("item " + service + " " + path);
        emit StatusNotifierItemRegistered(item);
    }
    void RegisterStatusNotifierHost(const QString&) {}

  signals:
    void StatusNotifierItemRegistered(const QString& item);
    void StatusNotifierItemUnregistered(const QString& item);
    void StatusNotifierHostRegistered();

  private:
    bool host_;
    QStringList items_;
    QDBusServiceWatcher gone_;
};

class Notifications : public QObject {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")

  public slots:
    uint Notify(const QString&, uint, const QString&, const QString& summary, const QString& body,
                const QStringList&, const QVariantMap&, int) {
        QString flat = body;
        flat.replace('\n', QStringLiteral(" / "));
        report("notify " + summary + "\t" + flat);
        return ++last_;
    }
    void CloseNotification(uint) {}
    QStringList GetCapabilities() { return {QStringLiteral("body")}; }
    QString GetServerInformation(QString& vendor, QString& version, QString& spec) {
        vendor = QStringLiteral("Firmante tests");
        version = QStringLiteral("1");
        spec = QStringLiteral("1.2");
        return QStringLiteral("firmante-sni-watcher");
    }

  signals:
    void NotificationClosed(uint id, uint reason);
    void ActionInvoked(uint id, const QString& action);

  private:
    uint last_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const bool host = !(argc > 1 && std::strcmp(argv[1], "--no-host") == 0);
    auto bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        std::fprintf(stderr, "no session bus: %s\n",
                     bus.lastError().message().toUtf8().constData());
        return 1;
    }
    Watcher watcher(host);
    Notifications notifications;
    const auto exported = QDBusConnection::ExportAllSlots | QDBusConnection::ExportAllSignals |
                          QDBusConnection::ExportAllProperties;
    if (!bus.registerObject("/StatusNotifierWatcher", &watcher, exported) ||
        !bus.registerObject("/org/freedesktop/Notifications", &notifications, exported) ||
        !bus.registerService("org.kde.StatusNotifierWatcher") ||
        !bus.registerService("org.freedesktop.Notifications")) {
        std::fprintf(stderr, "cannot own the names: %s\n",
                     bus.lastError().message().toUtf8().constData());
        return 1;
    }
    report("ready");
    return app.exec();
}

#include "SniWatcher.moc"
