// Each dialog in both languages: the texts a person reads, the default button, Escape, the PIN.
#include <gtest/gtest.h>

#include <QApplication>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>

#include "DialogFixtures.h"
#include "firmante/desktop/PromptDialog.h"

using firmante::desktop::Language;
using firmante::desktop::PromptDialog;
namespace fx = firmante::testing;

namespace {

bool shows(const PromptDialog& dialog, const QString& text) {
    return dialog.shownText().contains(text);
}

}  // namespace

TEST(PromptDialog, HostileSiteNameIsShownAsTextNotAsMarkup) {
    PromptDialog dialog(fx::siteConsent("https://<b>imss</b>.example"), PromptDialog::Mode::Confirm,
                        Language::Spanish);
    dialog.show();
    for (auto* label : dialog.findChildren<QLabel*>()) {
        if (label->text().contains("imss")) {
            EXPECT_EQ(label->textFormat(), Qt::PlainText) << label->text().toStdString();
            EXPECT_TRUE(label->text().contains("<b>imss</b>"));
        }
    }
}

TEST(PromptDialog, PinDialogInSpanishNamesTheActionAndHandsThePinToTheCaller) {
    PromptDialog dialog(fx::pinForNewKey(), PromptDialog::Mode::Pin, Language::Spanish);
    dialog.show();
    for (const char* text :
         {"Firmante — PIN de Token de la empresa", "https://idse.imss.example pide su PIN",
          "Operación: Generar una llave nueva en el token", "Dispositivo: Token de la empresa",
          "Llave: Firma IDSE 2025", "quedan pocos intentos", "Verificación: Certificado actual"}) {
        EXPECT_TRUE(shows(dialog, QString::fromUtf8(text))) << text << "\n"
                                                            << dialog.shownText().toStdString();
    }
    EXPECT_FALSE(shows(dialog, "Operation")) << "never both languages at once";
    EXPECT_EQ(dialog.acceptButton()->text(), "Generar llave");
    EXPECT_EQ(dialog.refuseButton()->text(), "Cancelar");
    EXPECT_TRUE(dialog.acceptButton()->isDefault());
    EXPECT_FALSE(dialog.acceptButton()->isEnabled()) << "no empty PIN";
    EXPECT_EQ(dialog.pinField()->echoMode(), QLineEdit::Password);

    QTest::keyClicks(dialog.pinField(), "12");
    // A key no ASCII keyboard has, as an es-MX keyboard sends it.
    QKeyEvent enie(QEvent::KeyPress, Qt::Key_Ntilde, Qt::NoModifier, QString::fromUtf8("ñ"));
    QApplication::sendEvent(dialog.pinField(), &enie);
    QTest::keyClicks(dialog.pinField(), "456");
    EXPECT_TRUE(dialog.acceptButton()->isEnabled());
    QTest::keyClick(dialog.pinField(), Qt::Key_Return);
    EXPECT_EQ(dialog.result(), QDialog::Accepted);
    auto pin = dialog.takePin();
    EXPECT_EQ(std::string(pin.data(), pin.size()),
              "12\xC3\xB1"
              "456")
        << "UTF-8, as typed";
    EXPECT_TRUE(dialog.pinField()->text().isEmpty()) << "the field is wiped after use";
}

TEST(PromptDialog, PinDialogInEnglishShowsNoSpanish) {
    PromptDialog dialog(fx::pinForNewKey(), PromptDialog::Mode::Pin, Language::English);
    dialog.show();
    for (const char* text :
         {"Firmante — PIN for Token de la empresa", "asks for your PIN of",
          "Operation: Generate a new key on the token", "Token: Token de la empresa",
          "Key: Firma IDSE 2025", "few tries are left",
          "Check: Current certificate: CN=PRUEBA 4,O=PRUEBA 4"}) {
        EXPECT_TRUE(shows(dialog, text)) << text << "\n" << dialog.shownText().toStdString();
    }
    for (const char* spanish : {"Operación", "Dispositivo", "Cancelar", "Generar llave",
                                "Verificación", "Certificado actual"}) {
        EXPECT_FALSE(shows(dialog, QString::fromUtf8(spanish))) << spanish;
    }
    EXPECT_EQ(dialog.acceptButton()->text(), "Generate key");
    EXPECT_EQ(dialog.refuseButton()->text(), "Cancel");
}

TEST(PromptDialog, LanguageButtonSwitchesEveryTextBothWays) {
    PromptDialog dialog(fx::pinForNewKey(), PromptDialog::Mode::Pin, Language::Spanish);
    dialog.show();
    EXPECT_EQ(dialog.languageButton()->text(), "English");
    QTest::mouseClick(dialog.languageButton(), Qt::LeftButton);
    EXPECT_EQ(dialog.language(), Language::English);
    EXPECT_TRUE(shows(dialog, "Operation:"));
    EXPECT_FALSE(shows(dialog, QString::fromUtf8("Operación:")));
    EXPECT_EQ(dialog.languageButton()->text(), QString::fromUtf8("Español"));
    QTest::mouseClick(dialog.languageButton(), Qt::LeftButton);
    EXPECT_TRUE(shows(dialog, QString::fromUtf8("Operación:")));
    EXPECT_EQ(dialog.result(), QDialog::Rejected) << "switching answers nothing";
    EXPECT_TRUE(dialog.isVisible());
}

TEST(PromptDialog, EscapeCancelsThePinDialogWithAPinTyped) {
    PromptDialog dialog(fx::pinForNewKey(), PromptDialog::Mode::Pin, Language::Spanish);
    dialog.show();
    QTest::keyClicks(dialog.pinField(), "123456");
    QTest::keyClick(dialog.pinField(), Qt::Key_Escape);
    EXPECT_FALSE(dialog.isVisible());
    EXPECT_EQ(dialog.result(), QDialog::Rejected);
    EXPECT_TRUE(dialog.takePin().empty());
}

TEST(PromptDialog, EnterOnADeletionKeepsEverythingInBothLanguages) {
    for (auto language : {Language::Spanish, Language::English}) {
        PromptDialog dialog(fx::deletion(), PromptDialog::Mode::Confirm, language);
        dialog.show();
        const bool es = language == Language::Spanish;
        EXPECT_EQ(dialog.acceptButton()->text(), es ? "Eliminar" : "Delete");
        EXPECT_EQ(dialog.refuseButton()->text(), es ? "Conservar" : "Keep");
        EXPECT_TRUE(dialog.refuseButton()->isDefault()) << "the safe button is the default";
        EXPECT_FALSE(dialog.acceptButton()->isDefault());
        EXPECT_TRUE(shows(dialog, es ? QString::fromUtf8("¿Eliminar del token el certificado")
                                     : QString("Delete the previous certificate")));
        // What is deleted and what stays, in the window's language only.
        const QString deleted = QString::fromUtf8("Se eliminará el certificado CN=PRUEBA 4");
        const QString deletedEn = "The certificate CN=PRUEBA 4 (serial 01) will be deleted.";
        EXPECT_EQ(shows(dialog, deleted), es) << dialog.shownText().toStdString();
        EXPECT_EQ(shows(dialog, deletedEn), !es) << dialog.shownText().toStdString();
        QTest::keyClick(&dialog, Qt::Key_Return);
        EXPECT_EQ(dialog.result(), QDialog::Rejected) << "Enter keeps the old key";
        EXPECT_FALSE(dialog.isVisible());
    }
    PromptDialog dialog(fx::deletion(), PromptDialog::Mode::Confirm, Language::Spanish);
    dialog.show();
    QTest::keyClick(&dialog, Qt::Key_Escape);
    EXPECT_EQ(dialog.result(), QDialog::Rejected);
    PromptDialog chosen(fx::deletion(), PromptDialog::Mode::Confirm, Language::Spanish);
    chosen.show();
    QTest::mouseClick(chosen.acceptButton(), Qt::LeftButton);
    EXPECT_EQ(chosen.result(), QDialog::Accepted) << "deleting takes the person's own click";
}

TEST(PromptDialog, RevokingASiteNamesItSaysWhatItMeansAndKeepIsTheDefault) {
    for (auto language : {Language::Spanish, Language::English}) {
        PromptDialog dialog(fx::revokeSite("https://idse.imss.example"),
                            PromptDialog::Mode::Confirm, language);
        dialog.show();
        const bool es = language == Language::Spanish;
        const QString question =
            es ? QString::fromUtf8(
                     "¿Quitar a https://idse.imss.example el permiso de usar sus certificados?")
               : QString("Stop allowing https://idse.imss.example to use your certificates?");
        EXPECT_TRUE(shows(dialog, question)) << dialog.shownText().toStdString();
        EXPECT_TRUE(shows(
            dialog, es ? QString::fromUtf8("No se borra nada") : QString("Nothing is deleted")));
        EXPECT_FALSE(shows(dialog, es ? "Stop allowing" : "Quitar")) << "one language at a time";
        EXPECT_EQ(dialog.acceptButton()->text(), es ? "Quitar el permiso" : "Revoke");
        EXPECT_EQ(dialog.refuseButton()->text(), es ? "Conservar" : "Keep");
        EXPECT_TRUE(dialog.refuseButton()->isDefault()) << "the safe button is the default";
        QTest::keyClick(&dialog, Qt::Key_Return);
        EXPECT_EQ(dialog.result(), QDialog::Rejected) << "Enter keeps the permission";
    }
}

TEST(PromptDialog, SiteConsentAsksInOneLanguageAndAllowIsTheDefault) {
    PromptDialog es(fx::siteConsent("https://idse.imss.example"), PromptDialog::Mode::Confirm,
                    Language::Spanish);
    es.show();
    EXPECT_TRUE(shows(
        es, QString::fromUtf8("¿Permitir que https://idse.imss.example use sus certificados?")));
    EXPECT_EQ(es.acceptButton()->text(), "Permitir");
    EXPECT_EQ(es.refuseButton()->text(), "Rechazar");
    EXPECT_FALSE(shows(es, "Allow"));
    PromptDialog en(fx::siteConsent("https://idse.imss.example"), PromptDialog::Mode::Confirm,
                    Language::English);
    en.show();
    EXPECT_TRUE(shows(en, "Allow https://idse.imss.example to use your certificates?"));
    EXPECT_EQ(en.acceptButton()->text(), "Allow");
    EXPECT_TRUE(en.acceptButton()->isDefault());
    QTest::keyClick(&en, Qt::Key_Escape);
    EXPECT_EQ(en.result(), QDialog::Rejected);
}

TEST(PromptDialog, BatchListsEveryDocumentWithItsSha256) {
    PromptDialog dialog(fx::batch(), PromptDialog::Mode::Pin, Language::Spanish);
    dialog.show();
    for (int i = 1; i <= 3; ++i) {
        const std::string line = "factura-" + std::to_string(i) + ".xml " +
                                 std::string(63, static_cast<char>('0' + i)) + "f";
        EXPECT_TRUE(shows(dialog, QString::fromStdString(line))) << line;
    }
    EXPECT_EQ(dialog.acceptButton()->text(), "Firmar");
}

TEST(PromptDialog, PinPadCaseHasNoPinFieldAndSaysWhereToTypeIt) {
    auto text = fx::pinForNewKey();
    text.details->pinpad = true;
    text.details->accept = {"Continuar", "Continue"};
    text.details->note = firmante::prompt::Bilingual{"Escriba el PIN en el teclado del lector.",
                                                     "Type the PIN on the reader's keypad."};
    PromptDialog dialog(text, PromptDialog::Mode::Pin, Language::Spanish);
    dialog.show();
    EXPECT_EQ(dialog.pinField(), nullptr);
    EXPECT_TRUE(dialog.acceptButton()->isEnabled());
    EXPECT_TRUE(shows(dialog, "Escriba el PIN en el teclado del lector."));
    EXPECT_TRUE(shows(dialog, "Escriba el PIN en el lector."));
}
