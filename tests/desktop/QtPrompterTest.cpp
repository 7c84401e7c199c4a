// The prompter as the agent uses it: questions from a worker thread, dialogs on the GUI thread,
// answers back to the waiting caller; shutdown frees callers without the GUI thread's help.
#include <gtest/gtest.h>

#include <future>
#include <optional>
#include <thread>

#include <QApplication>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>

#include "DialogFixtures.h"
#include "firmante/desktop/PromptDialog.h"
#include "firmante/desktop/QtPrompter.h"
#include "firmante/pkcs11/Error.h"

using firmante::desktop::Language;
using firmante::desktop::PromptDialog;
using firmante::desktop::QtPrompter;
using firmante::pkcs11::Error;
using firmante::pkcs11::Reason;
namespace fx = firmante::testing;

namespace {

// The one dialog the prompter shows, once the GUI thread has put it up.
PromptDialog* waitForDialog(QtPrompter& prompter) {
    PromptDialog* shown = nullptr;
    const bool up = QTest::qWaitFor([&] {
        const auto open = prompter.openDialogs();
        shown = open.empty() ? nullptr : open.front();
        return shown && shown->isVisible();
    });
    return up ? shown : nullptr;
}

// What a caller on a worker thread got: the PIN, or the reason of the error.
struct Outcome {
    std::optional<std::string> pin;
    std::optional<Reason> reason;
};

std::future<Outcome> askPinOnAWorker(QtPrompter& prompter) {
    return std::async(std::launch::async, [&prompter] {
        Outcome out;
        try {
            auto pin = prompter.askPin(fx::pinForNewKey());
            out.pin = std::string(pin.data(), pin.size());
        } catch (const Error& e) {
            out.reason = e.reason();
        }
        return out;
    });
}

}  // namespace

TEST(QtPrompter, PinTypedInTheDialogReachesTheWorkerThatAsked) {
    QtPrompter prompter(Language::Spanish);
    auto outcome = askPinOnAWorker(prompter);
    auto* dialog = waitForDialog(prompter);
    ASSERT_NE(dialog, nullptr);
    EXPECT_EQ(dialog->objectName(), "firmante");
    EXPECT_EQ(dialog->acceptButton()->text(), "Generar llave");
    QTest::keyClicks(dialog->pinField(), "123456");
    QTest::mouseClick(dialog->acceptButton(), Qt::LeftButton);
    const auto got = outcome.get();
    EXPECT_EQ(got.pin, "123456");
    EXPECT_FALSE(got.reason);
}

TEST(QtPrompter, EscapeGivesTheCallerUserCancelled) {
    QtPrompter prompter(Language::English);
    auto outcome = askPinOnAWorker(prompter);
    auto* dialog = waitForDialog(prompter);
    ASSERT_NE(dialog, nullptr);
    QTest::keyClicks(dialog->pinField(), "123456");
    QTest::keyClick(dialog->pinField(), Qt::Key_Escape);
    const auto got = outcome.get();
    EXPECT_FALSE(got.pin);
    EXPECT_EQ(got.reason, Reason::UserCancelled);
}

TEST(QtPrompter, ConsentRefusedWithTheButtonIsFalseAndAllowedIsTrue) {
    QtPrompter prompter(Language::Spanish);
    for (bool allow : {false, true}) {
        auto answer = std::async(std::launch::async, [&prompter] {
            return prompter.confirm(fx::siteConsent("https://idse.imss.example"));
        });
        auto* dialog = waitForDialog(prompter);
        ASSERT_NE(dialog, nullptr);
        QTest::mouseClick(allow ? dialog->acceptButton() : dialog->refuseButton(), Qt::LeftButton);
        EXPECT_EQ(answer.get(), allow);
        ASSERT_TRUE(QTest::qWaitFor([&] { return prompter.openDialogs().empty(); }));
    }
}

TEST(QtPrompter, ShutdownFreesTheWaitingCallerWithoutTheGuiThreadAndClosesTheDialog) {
    QtPrompter prompter(Language::Spanish);
    auto outcome = askPinOnAWorker(prompter);
    auto* dialog = waitForDialog(prompter);
    ASSERT_NE(dialog, nullptr);
    prompter.shutdown();
    // No event is processed between shutdown() and here: the caller is released by shutdown().
    const auto got = outcome.get();
    EXPECT_EQ(got.reason, Reason::UserCancelled);
    EXPECT_TRUE(QTest::qWaitFor([&] { return prompter.openDialogs().empty(); }));
    // New questions are refused at once.
    auto late = askPinOnAWorker(prompter);
    EXPECT_EQ(late.get().reason, Reason::UserCancelled);
}

TEST(QtPrompter, AskingOnTheGuiThreadIsRefusedInsteadOfDeadlocking) {
    QtPrompter prompter(Language::Spanish);
    try {
        (void)prompter.askPin(fx::pinForNewKey());
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.reason(), Reason::Internal);
    }
}
