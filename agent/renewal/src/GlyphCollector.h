#pragma once

#include <optional>
#include <string>
#include <vector>

#include <OutputDev.h>

#include "GlyphFonts.h"

namespace firmante::renewal {

/// An axis-aligned box in device space (points, y down).
struct Box {
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    double area() const { return x1 > x0 && y1 > y0 ? (x1 - x0) * (y1 - y0) : 0; }
};

/// What pass two takes of a glyph: nothing (hidden), its text, or a mark for "a character its
/// font does not confirm" (GlyphFonts): the check never reads such a glyph as a digit or a
/// heading's letter.
enum class GlyphSeen : unsigned char { Hidden, Shown, Unconfirmed };

/// Pass one over a page: every glyph poppler's interpreter draws, in content order, and whether
/// a reader sees it once the page is finished (later paint can cover it). Also notes constructs
/// the check refuses (`refusal`). The drawChar order is the same in every pass over the page, so
/// pass two reads the text of exactly the visible glyphs by their index.
class GlyphCollector : public OutputDev {
  public:
    bool upsideDown() override { return true; }
    bool useDrawChar() override { return true; }
    bool interpretType3Chars() override { return false; }
    bool needNonText() override { return true; }

    void startPage(int pageNum, GfxState* state, XRef* xref) override;
    void drawChar(GfxState* state, double x, double y, double dx, double dy, double originX,
                  double originY, CharCode code, int nBytes, const Unicode* u, int uLen) override;
    void fill(GfxState* state) override;
    void eoFill(GfxState* state) override;
    void stroke(GfxState* state) override;
    void clip(GfxState* state) override;
    void eoClip(GfxState* state) override;
    void clipToStrokePath(GfxState* state) override;
    void setSoftMask(GfxState* state, const double* bbox, bool alpha, Function* transferFunc,
                     GfxColor* backdropColor) override;
    void drawImageMask(GfxState* state, Object* ref, Stream* str, int width, int height,
                       bool invert, bool interpolate, bool inlineImg) override;
    void drawImage(GfxState* state, Object* ref, Stream* str, int width, int height,
                   GfxImageColorMap* colorMap, bool interpolate, const int* maskColors,
                   bool inlineImg) override;
    void drawMaskedImage(GfxState* state, Object* ref, Stream* str, int width, int height,
                         GfxImageColorMap* colorMap, bool interpolate, Stream* maskStr,
                         int maskWidth, int maskHeight, bool maskInvert,
                         bool maskInterpolate) override;
    void drawSoftMaskedImage(GfxState* state, Object* ref, Stream* str, int width, int height,
                             GfxImageColorMap* colorMap, bool interpolate, Stream* maskStr,
                             int maskWidth, int maskHeight, GfxImageColorMap* maskColorMap,
                             bool maskInterpolate) override;

    /// For each drawChar call of the last page, whether its glyph is seen, and as what.
    std::vector<GlyphSeen> visibleGlyphs() const;
    /// Why the page cannot be judged, if it cannot (es-MX).
    const std::optional<std::string>& refusal() const { return refusal_; }

  private:
    struct Glyph {
        Box box;  // ascent to descent
        bool seen = false;
        bool confirmed = true;  // its font confirms the text poppler reports for it
    };
    struct Paint {
        Box box;
        double luminance = 1;  // < 0 when unknown (an image)
    };

    void paintArea(GfxState* state, const Box& box, double opacity, double luminance);
    void paintImage(GfxState* state);
    void refuse(std::string why);

    GlyphFonts fonts_;  // for the whole document: fonts are shared by pages
    XRef* xref_ = nullptr;
    std::vector<Glyph> glyphs_;
    std::vector<Paint> backgrounds_;
    std::optional<std::string> refusal_;
};

}  // namespace firmante::renewal
