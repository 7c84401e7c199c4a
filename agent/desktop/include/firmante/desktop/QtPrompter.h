#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include <QObject>
#include <QPointer>

#include "firmante/desktop/Language.h"
#include "firmante/prompt/Prompter.h"

namespace firmante::desktop {

class PromptDialog;

/// Firmante's own dialogs as the agent's Prompter (issue 12 §2). The questions come on token
/// worker threads; the widgets live on the GUI thread (the one that made the QApplication). Each
/// question is posted there, shown as a PromptDialog, and the calling thread waits for the answer.
/// Construct it on the GUI thread, after the QApplication, and destroy it there.
class QtPrompter : public QObject, public prompt::Prompter {
    Q_OBJECT
  public:
    explicit QtPrompter(Language language = languageFromEnvironment(),
                        std::chrono::seconds timeout = std::chrono::seconds(300),
                        QObject* parent = nullptr);
    ~QtPrompter() override;

    /// Throws pkcs11::Error(UserCancelled) on cancel, Escape, a closed window, timeout or
    /// shutdown. Must not be called on the GUI thread (it would wait on itself): throws
    /// pkcs11::Error(Internal) there.
    pkcs11::Secret askPin(const prompt::PromptText& text) override;
    /// False on refusal, Escape, a closed window or timeout; throws pkcs11::Error(UserCancelled)
    /// after shutdown and pkcs11::Error(Internal) on the GUI thread.
    bool confirm(const prompt::PromptText& text) override;
    /// Answers every open question as a cancel at once, closes the dialogs (posted to the GUI
    /// thread) and refuses new questions. Any thread; never blocks on the GUI thread.
    void shutdown() noexcept override;

    /// Dialogs open now (GUI thread only; for tests and the tray's "waiting for you" state).
    std::vector<PromptDialog*> openDialogs() const;

  signals:
    /// The number of open questions changed (emitted on the GUI thread).
    void waitingChanged(int open);

  private:
    struct Question;
    std::shared_ptr<Question> ask(const prompt::PromptText& text, bool withPin);
    void show(const std::shared_ptr<Question>& question);
    void finish(const std::shared_ptr<Question>& question, bool accepted,
                pkcs11::Secret pin) noexcept;

    Language language_;
    std::chrono::seconds timeout_;
    mutable std::mutex mutex_;
    bool stopped_ = false;
    std::uint64_t next_ = 0;
    std::map<std::uint64_t, std::shared_ptr<Question>> open_;
    std::vector<QPointer<PromptDialog>> shown_;  // GUI thread only
};

}  // namespace firmante::desktop
