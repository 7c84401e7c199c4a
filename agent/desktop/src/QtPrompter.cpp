#include "firmante/desktop/QtPrompter.h"

#include <condition_variable>

#include <QCoreApplication>
#include <QThread>

#include "firmante/desktop/PromptDialog.h"
#include "firmante/pkcs11/Error.h"

namespace firmante::desktop {

// One question: asked on a worker thread, shown and answered on the GUI thread.
struct QtPrompter::Question {
    std::uint64_t id = 0;
    prompt::PromptText text;
    bool withPin = false;
    // Guarded by QtPrompter::mutex_.
    bool answered = false;
    bool accepted = false;
    bool stopped = false;  // answered by shutdown(), not by the person
    pkcs11::Secret pin;
    std::condition_variable done;
    QPointer<PromptDialog> dialog;  // GUI thread only
};

namespace {

pkcs11::Error notAnswered() {
    return pkcs11::Error(pkcs11::Reason::UserCancelled,
                         "no answer: the agent is stopping or the window timed out");
}

}  // namespace

QtPrompter::QtPrompter(Language language, std::chrono::seconds timeout, QObject* parent)
    : QObject(parent), language_(language), timeout_(timeout) {}

QtPrompter::~QtPrompter() {
    shutdown();
    for (auto* dialog : openDialogs()) delete dialog;
}

std::shared_ptr<QtPrompter::Question> QtPrompter::ask(const prompt::PromptText& text,
                                                      bool withPin) {
    if (QThread::currentThread() == thread()) {
        throw pkcs11::Error(pkcs11::Reason::Internal,
                            "a dialog was asked for on the GUI thread, which shows it");
    }
    auto question = std::make_shared<Question>();
    question->text = text;
    question->withPin = withPin;
    std::unique_lock lock(mutex_);
    if (stopped_) {
        throw pkcs11::Error(pkcs11::Reason::UserCancelled, "the agent is stopping");
    }
    question->id = ++next_;
    open_[question->id] = question;
    lock.unlock();
    QMetaObject::invokeMethod(
        this, [this, question] { show(question); }, Qt::QueuedConnection);
    lock.lock();
    const bool answered =
        question->done.wait_for(lock, timeout_, [&] { return question->answered; });
    open_.erase(question->id);
    if (!answered) {
        // Nobody answered: close the window (it may still be open on the screen).
        question->answered = true;
        question->stopped = true;
        QMetaObject::invokeMethod(
            this,
            [question] {
                if (question->dialog) question->dialog->reject();
            },
            Qt::QueuedConnection);
    }
    return question;
}

void QtPrompter::show(const std::shared_ptr<Question>& question) {
    {
        std::lock_guard lock(mutex_);
        if (question->answered) return;  // cancelled (shutdown, timeout) before it was shown
    }
    auto* dialog = new PromptDialog(
        question->text, question->withPin ? PromptDialog::Mode::Pin : PromptDialog::Mode::Confirm,
        language_);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    question->dialog = dialog;
    shown_.emplace_back(dialog);
    connect(dialog, &QDialog::finished, this, [this, question, dialog](int result) {
        const bool accepted = result == QDialog::Accepted;
        finish(question, accepted,
               accepted && question->withPin ? dialog->takePin() : pkcs11::Secret{});
        std::erase_if(shown_, [dialog](const auto& d) { return !d || d == dialog; });
        emit waitingChanged(static_cast<int>(shown_.size()));
    });
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
    emit waitingChanged(static_cast<int>(shown_.size()));
}

void QtPrompter::finish(const std::shared_ptr<Question>& question, bool accepted,
                        pkcs11::Secret pin) noexcept {
    std::lock_guard lock(mutex_);
    if (question->answered) return;  // late: the caller already gave up
    question->answered = true;
    question->accepted = accepted;
    question->pin = std::move(pin);
    question->done.notify_all();
}

pkcs11::Secret QtPrompter::askPin(const prompt::PromptText& text) {
    auto question = ask(text, true);
    std::lock_guard lock(mutex_);
    if (question->stopped) throw notAnswered();
    if (!question->accepted || question->pin.empty()) {
        // An empty PIN would be one wasted try on the token: a cancel, as with pinentry.
        throw pkcs11::Error(pkcs11::Reason::UserCancelled,
                            "la persona canceló el PIN / the PIN prompt was cancelled");
    }
    return std::move(question->pin);
}

bool QtPrompter::confirm(const prompt::PromptText& text) {
    auto question = ask(text, false);
    std::lock_guard lock(mutex_);
    // Not a refusal: the site must not be remembered as refused because the agent stopped.
    if (question->stopped) throw notAnswered();
    return question->accepted;
}

void QtPrompter::shutdown() noexcept {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    for (auto& [id, question] : open_) {
        if (question->answered) continue;
        question->answered = true;
        question->accepted = false;
        question->stopped = true;
        question->done.notify_all();
    }
    // The windows go on the GUI thread; if its loop has already ended they go with the process.
    QMetaObject::invokeMethod(
        this,
        [this] {
            for (auto* dialog : openDialogs()) dialog->reject();
        },
        Qt::QueuedConnection);
}

std::vector<PromptDialog*> QtPrompter::openDialogs() const {
    std::vector<PromptDialog*> out;
    for (const auto& dialog : shown_) {
        if (dialog) out.push_back(dialog.data());
    }
    return out;
}

}  // namespace firmante::desktop
