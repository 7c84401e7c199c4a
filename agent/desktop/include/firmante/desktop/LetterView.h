#pragma once

#include <memory>
#include <vector>

#include <QImage>
#include <QList>
#include <QRectF>
#include <QWidget>

#include "firmante/desktop/Language.h"
#include "firmante/prompt/PromptText.h"

class QLabel;
class QPushButton;
namespace Poppler {
class Document;
}

namespace firmante::desktop {

/// A renewal letter as a viewer draws it (poppler-qt6), one page at a time, starting with the
/// first, with the boxes where the letter check found the new key's block and the previous
/// letter's SHA-1 (prompt::PromptDetails::letterBoxes) highlighted: never searched again on the
/// page, which would also find a copy a reader does not see. What you sign is what you see
/// (DESIGN §3 rule 4): when the bytes cannot be drawn, rendered() is false and the dialog offers
/// no way to sign.
class LetterView : public QWidget {
    Q_OBJECT
  public:
    LetterView(std::shared_ptr<const std::vector<unsigned char>> pdf,
               std::vector<prompt::PageBox> boxes, Language language, QWidget* parent = nullptr);
    ~LetterView() override;

    bool rendered() const noexcept { return !image_.isNull(); }
    int pageCount() const noexcept { return pages_; }
    int currentPage() const noexcept { return page_; }
    /// Rectangles highlighted on the page shown.
    int highlightsOnPage() const noexcept { return highlights_; }
    /// The rectangles highlighted on the page shown, in the image's pixels.
    const QList<QRectF>& highlightRects() const noexcept { return drawn_; }
    /// The page as shown, highlights drawn.
    const QImage& image() const noexcept { return image_; }
    void showPage(int index);
    void setLanguage(Language language);

    /// Width, in pixels, a page is drawn at.
    static constexpr int kPageWidth = 600;

  private:
    void retranslate();

    std::shared_ptr<const std::vector<unsigned char>> pdf_;
    std::vector<prompt::PageBox> boxes_;
    Language language_;
    std::unique_ptr<Poppler::Document> document_;
    int pages_ = 0;
    int page_ = 0;
    int highlights_ = 0;
    std::vector<int> boxesPerPage_;
    QList<QRectF> drawn_;
    QImage image_;
    QLabel* picture_;
    QLabel* caption_;
    QPushButton* previous_;
    QPushButton* next_;
};

}  // namespace firmante::desktop
