// Writes a PNG of every dialog, in both languages, for docs/desktop.md:
//   firmante_dialog_screenshots OUT_DIR
// Offscreen by default; the pictures are the widgets as Qt draws them (grab()).
#include <QApplication>
#include <QDir>
#include <QLayout>
#include <QLineEdit>
#include <QTest>

#include "DialogFixtures.h"
#include "firmante/desktop/LetterView.h"
#include "firmante/desktop/PromptDialog.h"

using firmante::desktop::Language;
using firmante::desktop::PromptDialog;
namespace fx = firmante::testing;

namespace {

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
        save(fx::batch(), M::Pin, language, out.filePath("dialog-batch-" + tag + ".png"));
    }
    return 0;
}
