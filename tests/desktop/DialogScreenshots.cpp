// Writes a PNG of every dialog, in both languages, for docs/desktop.md:
//   firmante_dialog_screenshots OUT_DIR
// Offscreen by default; the pictures are the widgets as Qt draws them (grab()).
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QLayout>
#include <QLineEdit>
#include <QMenu>
#include <QTest>

#include "DialogFixtures.h"
#include "firmante/desktop/LetterView.h"
#include "firmante/desktop/PromptDialog.h"
#include "firmante/desktop/TrayIcon.h"

using firmante::desktop::Language;
using firmante::desktop::PromptDialog;
namespace fx = firmante::testing;

namespace {

// The tray's questions are not drawn here (save() draws their dialogs): every one is refused.
class NoAnswers : public firmante::prompt::Prompter {
  public:
    firmante::pkcs11::Secret askPin(const firmante::prompt::PromptText&) override { return {}; }
    bool confirm(const firmante::prompt::PromptText&) override { return false; }
};

void save(const firmante::prompt::PromptText& text, PromptDialog::Mode mode, Language language,
          const QString& path, bool typePin = false, bool pageWithMarks = false) {
    PromptDialog dialog(text, mode, language);
    dialog.show();
    if (typePin && dialog.pinField()) QTest::keyClicks(dialog.pinField(), "123456");
    if (pageWithMarks && dialog.letterView()) {
        auto* view = dialog.letterView();
        for (int i = 0; i < view->pageCount(); ++i) {
            view->showPage(i);
            if (view->highlightsOnPage() > 0) break;
        }
    }
    dialog.resize(dialog.sizeHint());
    QApplication::processEvents();
    dialog.layout()->activate();
    dialog.grab().save(path);
}

// The tray's menu and its two submenus, for one token with a certificate 12 days from expiry
// and another valid for long, a site the person allowed and one the administrator did, and two
// signatures.
void saveTray(Language language, const QDir& out, const QString& tag) {
    using namespace std::chrono;
    const auto now = system_clock::now();
    firmante::agent::AgentStatus status;
    firmante::agent::AgentStatus::Controls controls;
    controls.stop = [] {};
    controls.revokeSite = [](const std::string&) { return false; };
    controls.sites = [] {
        return std::vector<firmante::agent::AllowedSite>{{"https://idse.imss.example", false},
                                                         {"https://portal.empresa.example", true}};
    };
    status.setControls(controls, "/home/usuario/.local/state/firmante/agent.log");
    firmante::pkcs11::TokenInfo token;
    token.label = "Token de la empresa";
    status.setTokens({token});
    firmante::pkcs11::CertificateInfo soon, later;
    soon.subject = "CN=EMPRESA DEMO SA DE CV,O=Demo";
    soon.serialHex = "01";
    soon.notAfter = now + hours(24 * 12);
    later.subject = "CN=JUAN PEREZ LOPEZ";
    later.serialHex = "02";
    later.notAfter = now + hours(24 * 700);
    status.setCertificates("Token de la empresa", {soon, later});
    for (const auto& [method, file, ago] :
         {std::tuple{"renewal.sign_letter", "carta-aceptacion.pdf", minutes(42)},
          std::tuple{"documents.sign", "contrato-2026.pdf", minutes(5)}}) {
        firmante::agent::Activity a;
        firmante::agent::describeActivity(method, "https://idse.imss.example", file, 0, now - ago,
                                          a);
        status.record(a);
    }
    NoAnswers person;
    firmante::desktop::TrayIcon tray(status, person, language, [now] { return now; });
    auto grab = [](QMenu* menu, const QString& path) {
        menu->resize(menu->sizeHint());  // adjustSize() would cap it at 2/3 of the screen
        menu->grab().save(path);
    };
    grab(tray.menu(), out.filePath("tray-menu-" + tag + ".png"));
    int submenu = 0;
    for (auto* action : tray.menu()->actions()) {
        if (!action->menu()) continue;
        grab(action->menu(),
             out.filePath((submenu++ == 0 ? "tray-sites-" : "tray-activity-") + tag + ".png"));
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName("firmante");
    const QDir out(argc > 1 ? argv[1] : ".");
    using M = PromptDialog::Mode;
    for (auto language : {Language::Spanish, Language::English}) {
        const QString tag = language == Language::Spanish ? "es" : "en";
        save(fx::pinForNewKey(), M::Pin, language, out.filePath("dialog-pin-" + tag + ".png"),
             true);
        save(fx::siteConsent("https://idse.imss.example"), M::Confirm, language,
             out.filePath("dialog-consent-" + tag + ".png"));
        save(fx::letterConfirmation(fx::portalLetter()), M::Confirm, language,
             out.filePath("dialog-letter-" + tag + ".png"), false, true);
        save(fx::deletion(), M::Confirm, language, out.filePath("dialog-delete-" + tag + ".png"));
        save(fx::revokeSite("https://idse.imss.example"), M::Confirm, language,
             out.filePath("dialog-revoke-" + tag + ".png"));
        save(fx::batch(), M::Pin, language, out.filePath("dialog-batch-" + tag + ".png"));
        saveTray(language, out, tag);
    }
    return 0;
}
