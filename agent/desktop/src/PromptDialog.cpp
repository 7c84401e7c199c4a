#include "firmante/desktop/PromptDialog.h"

#include <QFont>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "PromptDialogTexts.h"
#include "firmante/desktop/LetterView.h"

namespace firmante::desktop {

namespace {

QLabel* plainLabel(QWidget* parent) {
    auto* label = new QLabel(parent);
    // Text from outside is never interpreted: no rich text, no links.
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    return label;
}

// UTF-16 code units of `text` appended to `out` as UTF-8, with no intermediate buffer.
void appendUtf8(const QString& text, pkcs11::Secret& out) {
    for (qsizetype i = 0; i < text.size(); ++i) {
        char32_t cp = text[i].unicode();
        if (QChar::isHighSurrogate(cp) && i + 1 < text.size() &&
            QChar::isLowSurrogate(text[i + 1].unicode())) {
            cp = QChar::surrogateToUcs4(static_cast<char16_t>(cp), text[++i].unicode());
        }
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
    }
}

// "3f2a…" in groups of 16 hex digits: it wraps inside the window and is easier to compare.
std::string grouped(const std::string& hex) {
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 16) {
        if (i) out += ' ';
        out += hex.substr(i, 16);
    }
    return out;
}

}  // namespace

PromptDialog::PromptDialog(const prompt::PromptText& text, Mode mode, Language language,
                           QWidget* parent)
    : QDialog(parent),
      details_(detailsOf(text, mode == Mode::Pin)),
      mode_(mode),
      language_(language) {
    setObjectName("firmante");
    setWindowFlag(Qt::WindowStaysOnTopHint);
    setWindowFlag(Qt::WindowContextHelpButtonHint, false);
    build();
    retranslate();
    resize(sizeHint().expandedTo(minimumSizeHint()));
}

PromptDialog::~PromptDialog() {
    wipePinField();
}

QLabel* PromptDialog::addRow(const std::string& value, bool monospace) {
    auto* name = new QLabel(this);
    auto* shown = plainLabel(this);
    shown->setText(QString::fromStdString(value));
    shown->setTextInteractionFlags(Qt::TextSelectableByMouse);
    if (monospace) shown->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    form_->addRow(name, shown);
    rows_.emplace_back(name, shown);
    return shown;
}

void PromptDialog::build() {
    auto* layout = new QVBoxLayout(this);
    // A strut, not setMinimumWidth(): an explicit minimum would override the layout's own (the
    // letter's width) and let the window squeeze the page under the buttons.
    layout->addStrut(details_.documents.empty() ? 480 : 640);
    auto* top = new QHBoxLayout;
    heading_ = plainLabel(this);
    QFont bold = heading_->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    heading_->setFont(bold);
    switch_ = new QPushButton(this);
    switch_->setObjectName("language");
    switch_->setFlat(true);
    switch_->setAutoDefault(false);
    switch_->setFocusPolicy(Qt::TabFocus);
    connect(switch_, &QPushButton::clicked, this, [this] {
        setLanguage(language_ == Language::Spanish ? Language::English : Language::Spanish);
    });
    top->addWidget(heading_, 1);
    top->addWidget(switch_, 0, Qt::AlignTop);
    layout->addLayout(top);

    warning_ = plainLabel(this);
    warning_->setObjectName("warning");
    warning_->setStyleSheet("color: #b00020; font-weight: bold;");
    warning_->setVisible(details_.warning.has_value());
    layout->addWidget(warning_);

    form_ = new QFormLayout;
    form_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    const bool fields = !details_.token.empty() || !details_.site.empty();
    if (fields) {
        rowKinds_.push_back(static_cast<int>(Row::Site));
        addRow(details_.site);
        // A question that is its own operation ("¿Eliminar…?") is already the heading.
        const bool operationIsHeading = details_.kind == prompt::PromptKind::Destructive ||
                                        details_.kind == prompt::PromptKind::Confirmation;
        if (!operationIsHeading) {
            rowKinds_.push_back(static_cast<int>(Row::Operation));
            addRow({});  // filled per language
        }
        if (details_.fileName) {
            rowKinds_.push_back(static_cast<int>(Row::File));
            addRow(*details_.fileName);
        }
        if (details_.sha256Hex) {
            rowKinds_.push_back(static_cast<int>(Row::Sha256));
            addRow(grouped(*details_.sha256Hex), true);
        }
        if (!details_.token.empty()) {
            rowKinds_.push_back(static_cast<int>(Row::Token));
            addRow(details_.token);
            rowKinds_.push_back(static_cast<int>(Row::Key));
            addRow(details_.key);
        }
        if (details_.check) {
            rowKinds_.push_back(static_cast<int>(Row::Check));
            addRow({});  // filled per language
        }
        if (details_.keyFingerprint) {
            rowKinds_.push_back(static_cast<int>(Row::Fingerprint));
            addRow(*details_.keyFingerprint, true);
        }
    }
    layout->addLayout(form_);

    if (!details_.documents.empty()) {
        documents_ = new QTreeWidget(this);
        documents_->setColumnCount(2);
        documents_->setRootIsDecorated(false);
        documents_->setMaximumHeight(180);
        for (const auto& doc : details_.documents) {
            auto* item = new QTreeWidgetItem(documents_);
            item->setText(0, QString::fromStdString(doc.fileName));
            item->setText(1, QString::fromStdString(doc.sha256Hex));
            item->setFont(1, QFontDatabase::systemFont(QFontDatabase::FixedFont));
        }
        documents_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
        documents_->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
        layout->addWidget(documents_);
    }

    if (details_.letterPdf) {
        letter_ = new LetterView(details_.letterPdf, details_.letterBoxes, language_, this);
        layout->addWidget(letter_, 1);
    }

    note_ = plainLabel(this);
    note_->setVisible(details_.note.has_value());
    layout->addWidget(note_);

    if (mode_ == Mode::Pin && !details_.pinpad) {
        auto* row = new QHBoxLayout;
        pinLabel_ = new QLabel(this);
        pin_ = new QLineEdit(this);
        pin_->setObjectName("pin");
        pin_->setEchoMode(QLineEdit::Password);
        pin_->setContextMenuPolicy(Qt::NoContextMenu);
        pin_->setMaxLength(256);  // software tokens allow up to 255 bytes; pinentry has no cap
        pinLabel_->setBuddy(pin_);
        connect(pin_, &QLineEdit::textChanged, this, [this] { updateAcceptable(); });
        row->addWidget(pinLabel_);
        row->addWidget(pin_, 1);
        layout->addLayout(row);
    }

    auto* buttons = new QHBoxLayout;
    accept_ = new QPushButton(this);
    accept_->setObjectName("accept");
    refuse_ = new QPushButton(this);
    refuse_->setObjectName("refuse");
    connect(accept_, &QPushButton::clicked, this, &QDialog::accept);
    connect(refuse_, &QPushButton::clicked, this, &QDialog::reject);
    buttons->addStretch(1);
    buttons->addWidget(refuse_);
    buttons->addWidget(accept_);
    layout->addLayout(buttons);

    // A deletion cannot be undone: Enter, or a stray click on the default, keeps everything.
    const bool destructive = details_.kind == prompt::PromptKind::Destructive;
    accept_->setDefault(!destructive);
    accept_->setAutoDefault(!destructive);
    refuse_->setDefault(destructive);
    refuse_->setAutoDefault(destructive);
    if (pin_) {
        pin_->setFocus();
    } else if (destructive) {
        refuse_->setFocus();
    } else {
        accept_->setFocus();
    }
    updateAcceptable();
}

void PromptDialog::updateAcceptable() {
    bool ok = true;
    if (pin_) ok = ok && !pin_->text().isEmpty();
    // What you sign is what you see: a letter that cannot be drawn is not signed.
    if (letter_) ok = ok && letter_->rendered();
    accept_->setEnabled(ok);
}

void PromptDialog::setLanguage(Language language) {
    language_ = language;
    retranslate();
}

void PromptDialog::retranslate() {
    const auto q = [this](const prompt::Bilingual& words) {
        return QString::fromStdString(in(language_, words));
    };
    const bool es = language_ == Language::Spanish;
    setWindowTitle("Firmante — " + q(details_.title));
    heading_->setText(headingOf(details_, language_));
    switch_->setText(otherLanguageLabel(language_));
    switch_->setToolTip(es ? "Show this window in English" : "Mostrar esta ventana en español");
    if (details_.warning) warning_->setText(q(*details_.warning));
    if (details_.note) note_->setText(q(*details_.note));
    for (std::size_t i = 0; i < rows_.size(); ++i) {
        const auto row = static_cast<Row>(rowKinds_[i]);
        rows_[i].first->setText(rowLabel(row, language_));
        if (row == Row::Operation) rows_[i].second->setText(q(details_.operation));
        if (row == Row::Check) rows_[i].second->setText(q(*details_.check));
    }
    if (documents_) {
        documents_->setHeaderLabels({es ? "Documento" : "Document", "SHA-256"});
    }
    if (letter_) letter_->setLanguage(language_);
    if (pinLabel_) pinLabel_->setText("PIN:");
    accept_->setText(q(details_.accept));
    refuse_->setText(q(details_.refuse));
}

QString PromptDialog::shownText() const {
    QStringList lines{windowTitle(), heading_->text()};
    if (warning_->isVisibleTo(this)) lines << warning_->text();
    for (const auto& [name, value] : rows_) lines << name->text() + " " + value->text();
    if (documents_) {
        for (int i = 0; i < documents_->topLevelItemCount(); ++i) {
            const auto* item = documents_->topLevelItem(i);
            lines << item->text(0) + " " + item->text(1);
        }
    }
    if (note_->isVisibleTo(this)) lines << note_->text();
    if (pinLabel_) lines << pinLabel_->text();
    lines << refuse_->text() << accept_->text();
    return lines.join('\n');
}

void PromptDialog::done(int result) {
    if (result != QDialog::Accepted) wipePinField();
    QDialog::done(result);
}

pkcs11::Secret PromptDialog::takePin() {
    pkcs11::Secret pin;
    if (pin_) appendUtf8(pin_->text(), pin);
    wipePinField();
    return pin;
}

void PromptDialog::wipePinField() noexcept {
    if (!pin_) return;
    // text() shares the field's buffer (implicit sharing); writing through constData() zeroes
    // that one buffer without a detaching copy. setText() then also drops the undo history.
    const QString typed = pin_->text();
    if (!typed.isEmpty()) {
        pkcs11::secureWipe(const_cast<QChar*>(typed.constData()),
                           static_cast<std::size_t>(typed.size()) * sizeof(QChar));
    }
    pin_->setText(QString());
}

}  // namespace firmante::desktop
