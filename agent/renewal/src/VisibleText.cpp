#include "VisibleText.h"

#include <memory>

#include <GfxState.h>
#include <PDFDoc.h>
#include <TextOutputDev.h>

#include "GlyphCollector.h"
#include "PdfStructure.h"
#include "PdfTextAbi.h"
#include "firmante/pkcs11/Error.h"

namespace firmante::renewal {

namespace {

/// Pass two over a page: poppler's own text layout (words, lines, columns in reading order),
/// fed only the glyphs pass one found visible. /ActualText is ignored: a span of it replaces the
/// drawn glyphs in extraction while a viewer shows the glyphs.
class VisibleTextDev : public TextOutputDev {
  public:
    VisibleTextDev() : TextOutputDev(nullptr, false, 0, false, false) {}
    void show(std::vector<GlyphSeen> visible) {
        visible_ = std::move(visible);
        next_ = 0;
    }
    void drawChar(GfxState* state, double x, double y, double dx, double dy, double originX,
                  double originY, CharCode c, int nBytes, const Unicode* u, int uLen) override {
        const std::size_t index = next_++;
        const GlyphSeen seen = index < visible_.size() ? visible_[index] : GlyphSeen::Hidden;
        static constexpr Unicode kUnconfirmed = kUnconfirmedGlyph;
        if (seen == GlyphSeen::Shown)
            TextOutputDev::drawChar(state, x, y, dx, dy, originX, originY, c, nBytes, u, uLen);
        else if (seen == GlyphSeen::Unconfirmed)
            TextOutputDev::drawChar(state, x, y, dx, dy, originX, originY, c, nBytes, &kUnconfirmed,
                                    1);
    }
    void beginActualText(GfxState*, const GooString*) override {}
    void endActualText(GfxState*) override {}
    void startPage(int pageNum, GfxState* state, XRef* xref) override {
        width_ = state ? state->getPageWidth() : 0;
        height_ = state ? state->getPageHeight() : 0;
        TextOutputDev::startPage(pageNum, state, xref);
    }
    /// The page's size in device space (points, rotation applied), from its last startPage.
    double width() const { return width_; }
    double height() const { return height_; }

  private:
    std::vector<GlyphSeen> visible_;
    std::size_t next_ = 0;
    double width_ = 0, height_ = 0;
};

void appendUtf8(std::string& out, Unicode c) {
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x110000) {
        out.push_back(static_cast<char>(0xF0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
}

/// Where the characters of one page go in the text, when their places are wanted.
struct PageOfGlyphs {
    std::vector<GlyphPlace>* glyphs;
    int page;
    double width, height;  // device space: points
};

/// The words poppler laid out on the page just displayed on `dev`, in reading order; with
/// `places`, each character's box is noted too (its offset counted in `before` + the result).
std::string wordsOf(TextOutputDev& dev, std::size_t before = 0,
                    const PageOfGlyphs* places = nullptr) {
    std::string out;
    TextPage* page = dev.takeText();
    if (!page) return out;
    const auto share = [](double v, double whole) {
        return static_cast<float>(whole > 0 ? v / whole : 0);
    };
    {
        TextWordList words(page, false);
        for (int i = 0; i < words.getLength(); ++i) {
            const TextWord* word = words.get(i);
            for (int k = 0; k < word->getLength(); ++k) {
                const std::size_t at = out.size();
                appendUtf8(out, *word->getChar(k));
                if (!places || out.size() == at) continue;
                if (places->glyphs->size() >= kFirmantePdfMaxGlyphs)
                    throw pkcs11::Error(pkcs11::Reason::LetterMismatch,
                                        "La carta tiene demasiado texto para verificarla. No se "
                                        "firmó nada.");
                double x0, y0, x1, y1;
                word->getCharBBox(k, &x0, &y0, &x1, &y1);
                places->glyphs->push_back({before + at, places->page, share(x0, places->width),
                                           share(y0, places->height), share(x1, places->width),
                                           share(y1, places->height)});
            }
            out.push_back(' ');
        }
    }
    page->decRefCnt();
    return out;
}

constexpr double kDpi = 72;  // device space in points

}  // namespace

namespace pdf {

VisibleLetter visibleLetter(std::span<const unsigned char> pdf) {
    std::unique_ptr<PDFDoc> doc = openJudgeablePdf(pdf);
    GlyphCollector glyphs;
    VisibleLetter out;
    for (int p = 1; p <= doc->getNumPages(); ++p) {
        // One text device per page: after takeText() its /ActualText helper still feeds the page
        // taken (poppler 22), so a reused device would lose every later page's text.
        VisibleTextDev text;
        if (!text.isOk())
            throw pkcs11::Error(pkcs11::Reason::Internal, "poppler's text output could not start");
        // useMediaBox false, crop true: the crop box is the page a viewer shows.
        doc->displayPage(&glyphs, p, kDpi, kDpi, 0, false, true, false);
        if (glyphs.refusal())
            throw pkcs11::Error(pkcs11::Reason::LetterMismatch,
                                *glyphs.refusal() + " No se firmó nada.");
        text.show(glyphs.visibleGlyphs());
        doc->displayPage(&text, p, kDpi, kDpi, 0, false, true, false);
        const PageOfGlyphs places{&out.glyphs, p - 1, text.width(), text.height()};
        out.text += wordsOf(text, out.text.size(), &places);
        out.text.push_back('\n');
    }
    return out;
}

std::string visibleLetterText(std::span<const unsigned char> pdf) {
    return visibleLetter(pdf).text;
}

std::string anyPdfText(std::span<const unsigned char> document) {
    std::string out;
    try {
        std::unique_ptr<PDFDoc> doc = openPdf(document);
        if (!doc || doc->isEncrypted()) return out;
        const int pages = std::min(doc->getNumPages(), 200);
        for (int p = 1; p <= pages; ++p) {
            TextOutputDev text(nullptr, false, 0, true, false);  // one per page, as above
            if (!text.isOk()) return out;
            doc->displayPage(&text, p, kDpi, kDpi, 0, true, false, false);
            out += wordsOf(text);
            out.push_back('\n');
        }
    } catch (const std::exception&) {
        // Unreadable is "carries no headings"; documents.sign signs any bytes.
    }
    return out;
}

}  // namespace pdf
}  // namespace firmante::renewal
