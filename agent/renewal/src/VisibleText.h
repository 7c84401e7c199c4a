#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace firmante::renewal {

/// The text a PDF viewer draws on a letter's pages, in reading order (columns read one after
/// the other), as UTF-8 words separated by spaces. Only glyphs that are painted (fill or stroke,
/// not render mode 3), legible (at least kMinGlyphPoints high and not squeezed), inside the page
/// and the clip, in a colour that stands out from what is under them, and not covered by a later
/// fill, image or glyph count, each read as the character its font draws (/ActualText ignored).
/// A glyph whose font does not confirm its /ToUnicode text (GlyphFonts: glyph names, or the
/// embedded TrueType's own Unicode cmap) is read as kUnconfirmedGlyph, whatever its map says.
///
/// Refuses, with pkcs11::Error(LetterMismatch) and an es-MX message ending in "No se firmó
/// nada.", what it cannot judge the way every viewer would: not a PDF, encrypted, more than one
/// revision (incremental updates) or a damaged cross-reference table, JavaScript or other
/// actions, embedded files, forms, optional-content layers, annotations other than plain links,
/// Type 3 fonts, text used as a clip, non-rectangular clips and soft masks, more than kMaxPages.

///
/// Read by firmante-pdf, the module that holds poppler, loaded on first use (PdfTextLoader.cpp);
/// if it cannot be loaded: pkcs11::Error(Internal), nothing signed.
std::string visibleLetterText(std::span<const unsigned char> pdf);

/// Where a character of VisibleLetter::text was drawn: its first byte in the text, its page
/// (0-based), and the glyph's box as shares (0–1) of the page's width and height as a viewer
/// shows the page (crop box, rotation applied), from the top-left corner.
struct GlyphPlace {
    std::size_t offset = 0;
    int page = 0;
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

/// visibleLetterText's text, and the place of each character a visible glyph drew (in the text's
/// order; the separators between words have none).
struct VisibleLetter {
    std::string text;
    std::vector<GlyphPlace> glyphs;
};

/// The same reading as visibleLetterText, with the glyphs' places; refuses as it does (and a
/// letter that draws more than kFirmantePdfMaxGlyphs characters). Through firmante-pdf.
VisibleLetter visibleLetter(std::span<const unsigned char> pdf);

/// Every piece of text in a PDF as poppler extracts it, drawn or not (for documents.sign's
/// refusal of renewal letters). Empty when `document` is not a readable PDF. Through firmante-pdf
/// as above; when the module cannot be loaded it throws pkcs11::Error(Internal) rather than
/// answer "no headings" (documents.sign then signs nothing).
std::string anyPdfText(std::span<const unsigned char> document);

/// The same two inside firmante-pdf (VisibleText.cpp), called through PdfTextAbi.h.
namespace pdf {
std::string visibleLetterText(std::span<const unsigned char> pdf);
VisibleLetter visibleLetter(std::span<const unsigned char> pdf);
std::string anyPdfText(std::span<const unsigned char> document);
}  // namespace pdf

inline constexpr double kMinGlyphPoints = 4.0;
/// What a glyph whose font does not confirm its text reads as (U+FFFD); letterWords folds it to
/// '?', which no key, hash or heading contains.
inline constexpr char32_t kUnconfirmedGlyph = 0xFFFD;
inline constexpr int kMaxPages = 20;

}  // namespace firmante::renewal
