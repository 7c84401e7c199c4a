#pragma once

#include <map>
#include <memory>
#include <utility>
#include <vector>

#include <CharTypes.h>

class FoFiTrueType;
class GfxFont;
class XRef;

namespace firmante::renewal {

/// Whether the text poppler reports for a glyph (its /ToUnicode map, else its encoding) is the
/// character the font itself says the glyph draws (issue 9 §1): a /ToUnicode map can name any
/// text for any glyph, so a foreign key drawn in a font whose map reads as ours would pass a
/// check of the extracted text.
///
///  - Simple fonts (Type 1, CFF, TrueType without a usable Unicode cmap): the glyph name the
///    encoding and /Differences give the code (Gfx8BitFont::getEncoding) must name the claimed
///    character by the Adobe Glyph List or the "uniXXXX" / "uXXXX" forms.
///  - Embedded TrueType, simple or CID: the glyph id drawn (the code-to-GID map poppler's
///    renderer uses, or the /CIDToGIDMap) must be the one the font's own Unicode cmap gives the
///    claimed character.
///  - Anything else (no glyph name, no Unicode cmap, CID-keyed CFF, several characters for one
///    glyph, no text for a glyph) cannot be confirmed.
///
/// What this does not see: an embedded font program whose glyph for "3" draws a 7 (its names
/// and cmap agree with the lie). Fonts are read once per document (cached by object number).
class GlyphFonts {
  public:
    GlyphFonts();
    ~GlyphFonts();
    GlyphFonts(const GlyphFonts&) = delete;
    GlyphFonts& operator=(const GlyphFonts&) = delete;

    /// Whether `font` confirms that the glyph for `code` (a CID for CID fonts) draws the text
    /// `u[0..uLen)`. `xref` reads embedded font programs.
    bool confirms(GfxFont& font, XRef* xref, CharCode code, const Unicode* u, int uLen);

  private:
    struct TrueType;
    TrueType* trueTypeOf(GfxFont& font, XRef* xref);

    std::map<std::pair<int, int>, std::unique_ptr<TrueType>> fonts_;
};

}  // namespace firmante::renewal
