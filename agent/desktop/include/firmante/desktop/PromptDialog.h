#pragma once

#include <QDialog>

#include "firmante/desktop/Language.h"
#include "firmante/pkcs11/Secret.h"
#include "firmante/prompt/PromptText.h"

class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;
class QFormLayout;

namespace firmante::desktop {

class LetterView;

/// One of Firmante's own dialogs (window class `firmante`): the PIN, a new site's consent, a
/// signature or a letter to confirm, a deletion. It lays out prompt::PromptDetails in one
/// language at a time, with a button that switches to the other. Every value is shown as plain
/// text (never as rich text: it comes from outside). The accept button is named for the action
/// and is the default, except for a deletion, where the safe button is; Escape always cancels.
class PromptDialog : public QDialog {
    Q_OBJECT
  public:
    enum class Mode { Pin, Confirm };

    PromptDialog(const prompt::PromptText& text, Mode mode, Language language,
                 QWidget* parent = nullptr);
    ~PromptDialog() override;

    /// The typed PIN, moved into a Secret; the field and its buffer are wiped. Call once, after
    /// the dialog was accepted. Never throws but std::bad_alloc.
    pkcs11::Secret takePin();

    void setLanguage(Language language);
    Language language() const noexcept { return language_; }

    QPushButton* acceptButton() const noexcept { return accept_; }
    QPushButton* refuseButton() const noexcept { return refuse_; }
    QPushButton* languageButton() const noexcept { return switch_; }
    QLineEdit* pinField() const noexcept { return pin_; }
    LetterView* letterView() const noexcept { return letter_; }
    /// Every text the dialog shows, one per line (for tests and screenshots' descriptions).
    QString shownText() const;

    /// A cancelled PIN is wiped at once, not when the window is destroyed.
    void done(int result) override;

  private:
    void build();
    void retranslate();
    void updateAcceptable();
    QLabel* addRow(const std::string& value, bool monospace = false);
    void wipePinField() noexcept;

    prompt::PromptDetails details_;
    Mode mode_;
    Language language_;
    QLabel* heading_ = nullptr;
    QLabel* warning_ = nullptr;
    QLabel* note_ = nullptr;
    QFormLayout* form_ = nullptr;
    std::vector<std::pair<QLabel*, QLabel*>> rows_;  // label, value
    std::vector<int> rowKinds_;
    QTreeWidget* documents_ = nullptr;
    LetterView* letter_ = nullptr;
    QLabel* pinLabel_ = nullptr;
    QLineEdit* pin_ = nullptr;
    QPushButton* accept_ = nullptr;
    QPushButton* refuse_ = nullptr;
    QPushButton* switch_ = nullptr;
};

}  // namespace firmante::desktop
