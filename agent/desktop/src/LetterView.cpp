#include "firmante/desktop/LetterView.h"

#include <poppler-qt6.h>

#include <algorithm>

#include <QByteArray>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace firmante::desktop {

LetterView::LetterView(std::shared_ptr<const std::vector<unsigned char>> pdf,
                       std::vector<prompt::PageBox> boxes, Language language, QWidget* parent)
    : QWidget(parent), pdf_(std::move(pdf)), boxes_(std::move(boxes)), language_(language) {
    picture_ = new QLabel(this);
    picture_->setAlignment(Qt::AlignHCenter | Qt::AlignTop);
    picture_->setObjectName("letterPage");
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(picture_);
    scroll->setWidgetResizable(true);
    scroll->setMinimumSize(kPageWidth + 24, 360);
    caption_ = new QLabel(this);
    caption_->setAlignment(Qt::AlignCenter);
    previous_ = new QPushButton("◀", this);
    next_ = new QPushButton("▶", this);
    for (auto* b : {previous_, next_}) b->setAutoDefault(false);
    connect(previous_, &QPushButton::clicked, this, [this] { showPage(page_ - 1); });
    connect(next_, &QPushButton::clicked, this, [this] { showPage(page_ + 1); });
    auto* bar = new QHBoxLayout;
    bar->addWidget(previous_);
    bar->addWidget(caption_, 1);
    bar->addWidget(next_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll, 1);
    layout->addLayout(bar);

    if (pdf_ && !pdf_->empty()) {
        // No copy: the bytes are the request's, kept alive by pdf_ for the document's life.
        const auto raw = QByteArray::fromRawData(reinterpret_cast<const char*>(pdf_->data()),
                                                 static_cast<qsizetype>(pdf_->size()));
        document_ = Poppler::Document::loadFromData(raw);
    }
    if (document_ && !document_->isLocked()) {
        document_->setRenderHint(Poppler::Document::Antialiasing);
        document_->setRenderHint(Poppler::Document::TextAntialiasing);
        pages_ = document_->numPages();
        boxesPerPage_.assign(static_cast<std::size_t>(std::max(pages_, 0)), 0);
        for (const auto& box : boxes_)
            if (box.page >= 0 && box.page < pages_) ++boxesPerPage_[box.page];
    }
    showPage(0);
}

LetterView::~LetterView() = default;

void LetterView::showPage(int index) {
    image_ = QImage();
    highlights_ = 0;
    drawn_.clear();
    if (pages_ > 0 && index >= 0 && index < pages_) {
        page_ = index;
        if (const auto page = document_->page(index)) {
            const double points = page->pageSizeF().width();
            const double dpi = points > 0 ? kPageWidth * 72.0 / points : 72.0;
            image_ = page->renderToImage(dpi, dpi);
            if (!image_.isNull()) {
                image_ = image_.convertToFormat(QImage::Format_ARGB32);
                QPainter painter(&image_);
                painter.setRenderHint(QPainter::Antialiasing);
                // The boxes are shares of the page as drawn: scaled by the image's own size.
                const double w = image_.width(), h = image_.height();
                for (const auto& box : boxes_) {
                    if (box.page != index) continue;
                    const QRectF shown(box.x0 * w - 2, box.y0 * h - 1, (box.x1 - box.x0) * w + 4,
                                       (box.y1 - box.y0) * h + 2);
                    painter.fillRect(shown, QColor(255, 214, 0, 110));
                    painter.setPen(QPen(QColor(230, 120, 0), 1.5));
                    painter.drawRect(shown);
                    drawn_.push_back(shown);
                    ++highlights_;
                }
            }
        }
    }
    picture_->setPixmap(image_.isNull() ? QPixmap() : QPixmap::fromImage(image_));
    retranslate();
}

void LetterView::setLanguage(Language language) {
    language_ = language;
    retranslate();
}

void LetterView::retranslate() {
    const bool es = language_ == Language::Spanish;
    previous_->setEnabled(rendered() && page_ > 0);
    next_->setEnabled(rendered() && page_ + 1 < pages_);
    previous_->setToolTip(es ? "Página anterior" : "Previous page");
    next_->setToolTip(es ? "Página siguiente" : "Next page");
    if (!rendered()) {
        picture_->setText(es ? "No se pudo mostrar la carta: no se firmará."
                             : "The letter cannot be shown: it will not be signed.");
        caption_->clear();
        return;
    }
    QString where;
    for (int i = 0; i < pages_; ++i) {
        if (boxesPerPage_[i] == 0) continue;
        if (!where.isEmpty()) where += ", ";
        where += QString::number(i + 1);
    }
    QString text = es ? QString("Página %1 de %2").arg(page_ + 1).arg(pages_)
                      : QString("Page %1 of %2").arg(page_ + 1).arg(pages_);
    if (!where.isEmpty()) {
        text += es ? QString(" · en amarillo, lo que la verificación encontró (pág. %1)").arg(where)
                   : QString(" · in yellow, what the check found (p. %1)").arg(where);
    }
    caption_->setText(text);
}

}  // namespace firmante::desktop
