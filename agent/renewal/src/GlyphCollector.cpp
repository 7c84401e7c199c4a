#include "GlyphCollector.h"

#include <algorithm>
#include <cmath>

#include <GfxFont.h>
#include <GfxState.h>

#include "VisibleText.h"

namespace firmante::renewal {

namespace {

// A later paint hides a glyph when it covers this share of the glyph's box.
constexpr double kCoveredShare = 0.25;
// A glyph is seen when its luminance differs this much from what is under it (0 = black, 1 =
// white): grey #777 on white passes, #eee on white does not.
constexpr double kMinContrast = 0.3;
// Paint this transparent or less does not hide what is under it.
constexpr double kMinOpacity = 0.1;

Box intersect(const Box& a, const Box& b) {
    return {std::max(a.x0, b.x0), std::max(a.y0, b.y0), std::min(a.x1, b.x1), std::min(a.y1, b.y1)};
}

Box clipBox(const GfxState* state) {
    Box b;
    state->getClipBBox(&b.x0, &b.y0, &b.x1, &b.y1);
    return b;
}

Box around(std::initializer_list<std::pair<double, double>> points) {
    Box b{1e300, 1e300, -1e300, -1e300};
    for (auto [x, y] : points) {
        b.x0 = std::min(b.x0, x);
        b.y0 = std::min(b.y0, y);
        b.x1 = std::max(b.x1, x);
        b.y1 = std::max(b.y1, y);
    }
    return b;
}

bool contains(const Box& outer, const Box& inner, double slack) {
    return inner.x0 >= outer.x0 - slack && inner.y0 >= outer.y0 - slack &&
           inner.x1 <= outer.x1 + slack && inner.y1 <= outer.y1 + slack;
}

double luminance(const GfxRGB& rgb) {
    return 0.2126 * colToDbl(rgb.r) + 0.7152 * colToDbl(rgb.g) + 0.0722 * colToDbl(rgb.b);
}

/// The device-space box of the current path (fill) or of each segment (stroke, widened by the
/// line width): a stroked frame around a key block paints its border, not the key.
std::vector<Box> pathBoxes(const GfxState* state, bool stroke) {
    std::vector<Box> boxes;
    const GfxPath* path = state->getPath();
    if (!path) return boxes;
    const double* m = state->getCTM();
    const double half =
        stroke ? state->getLineWidth() * std::sqrt(std::fabs(m[0] * m[3] - m[1] * m[2])) / 2 : 0;
    Box whole{1e300, 1e300, -1e300, -1e300};
    for (int i = 0; i < path->getNumSubpaths(); ++i) {
        const GfxSubpath* sub = path->getSubpath(i);
        double px = 0, py = 0;
        for (int j = 0; j < sub->getNumPoints(); ++j) {
            double x, y;
            state->transform(sub->getX(j), sub->getY(j), &x, &y);
            whole = {std::min(whole.x0, x), std::min(whole.y0, y), std::max(whole.x1, x),
                     std::max(whole.y1, y)};
            if (stroke && j > 0) {
                Box seg = around({{px, py}, {x, y}});
                boxes.push_back({seg.x0 - half, seg.y0 - half, seg.x1 + half, seg.y1 + half});
            }
            px = x;
            py = y;
        }
    }
    if (!stroke && whole.x1 >= whole.x0) boxes.push_back(whole);
    return boxes;
}

/// Whether the current path is one rectangle with sides along the page's axes (after the CTM):
/// then the clip's bounding box is the clip exactly.
bool isAxisRectangle(const GfxState* state) {
    const GfxPath* path = state->getPath();
    if (!path || path->getNumSubpaths() != 1) return false;
    const GfxSubpath* sub = path->getSubpath(0);
    const int n = sub->getNumPoints();
    if (n < 4 || n > 5) return false;
    std::vector<std::pair<double, double>> p;
    for (int j = 0; j < n; ++j) {
        if (sub->getCurve(j)) return false;
        double x, y;
        state->transform(sub->getX(j), sub->getY(j), &x, &y);
        p.emplace_back(x, y);
    }
    constexpr double eps = 0.01;
    for (int j = 0; j < 4; ++j) {
        const auto& a = p[j];
        const auto& b = p[(j + 1) % 4];
        if (std::fabs(a.first - b.first) > eps && std::fabs(a.second - b.second) > eps)
            return false;
    }
    return true;
}

/// An image fills the unit square of its CTM.
Box unitSquare(const GfxState* state) {
    double x[4], y[4];
    state->transform(0, 0, &x[0], &y[0]);
    state->transform(1, 0, &x[1], &y[1]);
    state->transform(0, 1, &x[2], &y[2]);
    state->transform(1, 1, &x[3], &y[3]);
    return around({{x[0], y[0]}, {x[1], y[1]}, {x[2], y[2]}, {x[3], y[3]}});
}

}  // namespace

void GlyphCollector::refuse(std::string why) {
    if (!refusal_) refusal_ = std::move(why);
}

void GlyphCollector::startPage(int, GfxState*, XRef* xref) {
    xref_ = xref;
    glyphs_.clear();
    backgrounds_.clear();
}

void GlyphCollector::drawChar(GfxState* state, double x, double y, double dx, double dy, double,
                              double, CharCode code, int, const Unicode* u, int uLen) {
    Glyph g;
    const int mode = state->getRender() & 7;
    if (mode >= 4) refuse("La carta usa texto como recorte de lo que se dibuja.");
    const auto& font = state->getFont();
    if (font && font->getType() == fontType3)
        refuse("La carta usa fuentes Type 3, cuyos caracteres pueden dibujar cualquier cosa.");

    double ox, oy, ax, ay, m11, m12, m21, m22;
    state->transform(x, y, &ox, &oy);
    state->transformDelta(dx, dy, &ax, &ay);
    state->getFontTransMat(&m11, &m12, &m21, &m22);
    (void)m11;
    (void)m12;
    const double height = std::hypot(m21, m22), advance = std::hypot(ax, ay);
    // Ascent 0.8 and descent 0.2 of the size: a box that holds the drawn shape of most fonts.
    const auto corner = [&](double a, double b) {
        return std::make_pair(ox + a * ax + b * m21, oy + a * ay + b * m22);
    };
    g.box = around({corner(0, -0.2), corner(1, -0.2), corner(0, 0.8), corner(1, 0.8)});
    const Box core = around({corner(0, 0), corner(1, 0), corner(0, 0.6), corner(1, 0.6)});

    // A glyph whose font does not confirm its text may draw anything: it counts as ink, covers
    // what is under it and is read as a mark that is no digit and no letter (issue 9 §1).
    g.confirmed = font && fonts_.confirms(*font, xref_, code, u, uLen);
    const bool letter = !g.confirmed || u[0] > 0x20;
    const bool painted = mode != 3 && mode != 7;
    const bool fills = mode == 0 || mode == 2 || mode == 4 || mode == 6;
    GfxRGB rgb;
    if (fills)
        state->getFillRGB(&rgb);
    else
        state->getStrokeRGB(&rgb);
    const double opacity = fills ? state->getFillOpacity() : state->getStrokeOpacity();
    const Box page{0, 0, state->getPageWidth(), state->getPageHeight()};

    // What is under the glyph's centre: the last opaque paint there, else the white page.
    const double cx = (core.x0 + core.x1) / 2, cy = (core.y0 + core.y1) / 2;
    double under = 1;
    for (auto it = backgrounds_.rbegin(); it != backgrounds_.rend(); ++it) {
        if (cx >= it->box.x0 && cx <= it->box.x1 && cy >= it->box.y0 && cy <= it->box.y1) {
            under = it->luminance;
            break;
        }
    }
    // Spaces carry no ink: passed on so the text keeps its word breaks.
    g.seen = !letter || (painted && opacity >= 0.9 && state->getBlendMode() == gfxBlendNormal &&
                         height >= kMinGlyphPoints && advance >= 0.1 * height &&
                         contains(page, core, 0.5) && contains(clipBox(state), core, 0.5) &&
                         under >= 0 && std::fabs(luminance(rgb) - under) >= kMinContrast);

    // A letter or digit painted over an earlier one hides it, whatever its colour (white text
    // over the genuine key). Accents drawn on their own over a letter do not.
    if (letter && painted && opacity >= kMinOpacity &&
        (!g.confirmed ||
         (u[0] < 0x80 ? std::isalnum(static_cast<int>(u[0])) != 0 : u[0] >= 0xC0))) {
        for (Glyph& earlier : glyphs_) {
            if (earlier.seen &&
                intersect(earlier.box, g.box).area() >= kCoveredShare * earlier.box.area() &&
                earlier.box.area() > 0)
                earlier.seen = false;
        }
    }
    glyphs_.push_back(g);
}

void GlyphCollector::paintArea(GfxState* state, const Box& painted, double opacity, double lum) {
    const Box box = intersect(painted, clipBox(state));
    if (box.area() <= 0 || opacity < kMinOpacity) return;
    for (Glyph& g : glyphs_) {
        if (g.seen && intersect(g.box, box).area() >= kCoveredShare * g.box.area()) g.seen = false;
    }
    if (opacity >= 0.9)
        backgrounds_.push_back({box, lum});
    else
        backgrounds_.push_back({box, -1});  // a veil: what shows through is not judged
}

void GlyphCollector::paintImage(GfxState* state) {
    // What shows through an image is not judged: no glyph on it counts as seen.
    paintArea(state, unitSquare(state), state->getFillOpacity(), -1);
}

void GlyphCollector::fill(GfxState* state) {
    GfxRGB rgb;
    state->getFillRGB(&rgb);
    for (const Box& b : pathBoxes(state, false))
        paintArea(state, b, state->getFillOpacity(), luminance(rgb));
}

void GlyphCollector::eoFill(GfxState* state) {
    fill(state);
}

void GlyphCollector::stroke(GfxState* state) {
    GfxRGB rgb;
    state->getStrokeRGB(&rgb);
    for (const Box& b : pathBoxes(state, true))
        paintArea(state, b, state->getStrokeOpacity(), luminance(rgb));
}

void GlyphCollector::clip(GfxState* state) {
    if (!isAxisRectangle(state))
        refuse("La carta recorta lo que dibuja con una figura que no es un rectángulo.");
}

void GlyphCollector::eoClip(GfxState* state) {
    clip(state);
}

void GlyphCollector::clipToStrokePath(GfxState*) {
    refuse("La carta recorta lo que dibuja con el contorno de una línea.");
}

void GlyphCollector::setSoftMask(GfxState*, const double*, bool, Function*, GfxColor*) {
    refuse("La carta usa máscaras de transparencia, que pueden ocultar texto.");
}

void GlyphCollector::drawImageMask(GfxState* state, Object* ref, Stream* str, int width, int height,
                                   bool invert, bool interpolate, bool inlineImg) {
    paintImage(state);
    OutputDev::drawImageMask(state, ref, str, width, height, invert, interpolate, inlineImg);
}

void GlyphCollector::drawImage(GfxState* state, Object* ref, Stream* str, int width, int height,
                               GfxImageColorMap* colorMap, bool interpolate, const int* maskColors,
                               bool inlineImg) {
    paintImage(state);
    OutputDev::drawImage(state, ref, str, width, height, colorMap, interpolate, maskColors,
                         inlineImg);
}

void GlyphCollector::drawMaskedImage(GfxState* state, Object* ref, Stream* str, int width,
                                     int height, GfxImageColorMap* colorMap, bool interpolate,
                                     Stream* maskStr, int maskWidth, int maskHeight,
                                     bool maskInvert, bool maskInterpolate) {
    paintImage(state);
    OutputDev::drawMaskedImage(state, ref, str, width, height, colorMap, interpolate, maskStr,
                               maskWidth, maskHeight, maskInvert, maskInterpolate);
}

void GlyphCollector::drawSoftMaskedImage(GfxState* state, Object* ref, Stream* str, int width,
                                         int height, GfxImageColorMap* colorMap, bool interpolate,
                                         Stream* maskStr, int maskWidth, int maskHeight,
                                         GfxImageColorMap* maskColorMap, bool maskInterpolate) {
    paintImage(state);
    OutputDev::drawSoftMaskedImage(state, ref, str, width, height, colorMap, interpolate, maskStr,
                                   maskWidth, maskHeight, maskColorMap, maskInterpolate);
}

std::vector<GlyphSeen> GlyphCollector::visibleGlyphs() const {
    std::vector<GlyphSeen> seen;
    seen.reserve(glyphs_.size());
    for (const Glyph& g : glyphs_)
        seen.push_back(!g.seen       ? GlyphSeen::Hidden
                       : g.confirmed ? GlyphSeen::Shown
                                     : GlyphSeen::Unconfirmed);
    return seen;
}

}  // namespace firmante::renewal
