// firmante-desktop.so's entry point: the agent with Firmante's own dialogs and the tray icon.
// firmante-agent opens this module only in a graphical session (SessionMode), so that a headless
// agent never loads Qt (issue 12: idle RSS headless). The module carries its own copy of the
// agent core and runs it; the executable's copy stays idle.

#include <thread>

#include <QApplication>

#include "firmante/agent/Agent.h"
#include "firmante/agent/AgentStatus.h"
#include "firmante/desktop/DesktopModule.h"
#include "firmante/desktop/QtPrompter.h"
#include "firmante/desktop/TrayIcon.h"

namespace {

// The Agent owns its prompter; here the QtPrompter belongs to the GUI (main) thread, which must
// outlive the agent's threads and destroy it.
class BorrowedPrompter : public firmante::prompt::Prompter {
  public:
    explicit BorrowedPrompter(firmante::prompt::Prompter& inner) : inner_(inner) {}
    firmante::pkcs11::Secret askPin(const firmante::prompt::PromptText& text) override {
        return inner_.askPin(text);
    }
    bool confirm(const firmante::prompt::PromptText& text) override { return inner_.confirm(text); }
    void shutdown() noexcept override { inner_.shutdown(); }

  private:
    firmante::prompt::Prompter& inner_;
};

}  // namespace

// Qt on the main thread (widgets must live there), the agent — its I/O thread and token workers
// — on another; the agent's end (signal, start-up failure) ends the Qt loop.
extern "C" __attribute__((visibility("default"))) int firmante_desktop_main_v1(int argc,
                                                                               char** argv) {
    // Outlives the agent's thread and the tray icon, which both use it.
    firmante::agent::AgentStatus status;
    QApplication app(argc, argv);
    QApplication::setApplicationName("firmante");  // the windows' class (WM_CLASS)
    QApplication::setQuitOnLastWindowClosed(false);
    firmante::desktop::QtPrompter prompter;
    // The tray icon (issue 12 §1): where the desktop has no tray it simply does not show. Its
    // questions (revoking a site) are Firmante's own dialogs too.
    firmante::desktop::TrayIcon tray(status, prompter);
    tray.show();
    int code = 1;
    std::thread agent([&] {
        code = firmante::agent::Agent(std::make_unique<BorrowedPrompter>(prompter), &status).run();
        QMetaObject::invokeMethod(
            &app, [] { QCoreApplication::quit(); }, Qt::QueuedConnection);
    });
    app.exec();
    agent.join();
    return code;
}
