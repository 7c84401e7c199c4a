#pragma once

// The C interface between the renewal library and firmante-pdf, the module that reads PDF pages
// with poppler (VisibleText, PdfStructure, GlyphCollector, GlyphFonts). Poppler and its ~37
// libraries are loaded only when a letter or a document is actually read, not by every
// `firmante --help` (issue 10 §7). C types only: no C++ exception or type crosses the boundary.

#include <stddef.h>

extern "C" {

/// What firmante_pdf_text_v1 reads.
enum FirmantePdfMode : int {
    kFirmantePdfVisibleLetterText = 1,  // renewal::visibleLetterText
    kFirmantePdfAnyText = 2,            // renewal::anyPdfText
};

/// Its answer. On success `text` holds the UTF-8 text; on a refusal `reason` is a reason word of
/// protocol/reasons.json and `message` the es-MX sentence. Released with firmante_pdf_free_v1.
struct FirmantePdfResult {
    char* text;
    size_t textSize;
    char* reason;
    char* message;
};

/// 0: text read; 1: refused (reason and message set); 2: out of memory.
typedef int (*FirmantePdfTextFn)(int mode, const unsigned char* pdf, size_t size,
                                 FirmantePdfResult* result);
typedef void (*FirmantePdfFreeFn)(FirmantePdfResult* result);

/// Where one character of firmante_pdf_letter_v1's text was drawn: the byte in `text` where the
/// character's UTF-8 starts, the page (0-based) and the glyph's box as shares of the page's width
/// and height as a viewer shows the page (crop box, /Rotate applied), from its top-left corner.
struct FirmantePdfGlyph {
    size_t offset;
    int page;
    float x0, y0, x1, y1;
};

/// At most this many glyphs are answered; a letter that draws more is refused. Every glyph is at
/// least one byte of text, so glyphCount <= textSize too.
enum : size_t { kFirmantePdfMaxGlyphs = 1000000 };

/// firmante_pdf_letter_v1's answer: on success the text kFirmantePdfVisibleLetterText reads and,
/// in the text's order, one FirmantePdfGlyph for each character a visible glyph drew (the spaces
/// and line ends between words have none). On a refusal `reason` and `message` as above.
/// Released with firmante_pdf_letter_free_v1.
struct FirmantePdfLetterResult {
    char* text;
    size_t textSize;
    FirmantePdfGlyph* glyphs;
    size_t glyphCount;
    char* reason;
    char* message;
};

/// 0: read; 1: refused (reason and message set); 2: out of memory.
typedef int (*FirmantePdfLetterFn)(const unsigned char* pdf, size_t size,
                                   FirmantePdfLetterResult* result);
typedef void (*FirmantePdfLetterFreeFn)(FirmantePdfLetterResult* result);

// Defined by the module (and by a binary that links the module's objects, like the letter
// fuzzer, in which case the loader calls them in-process).
int firmante_pdf_text_v1(int mode, const unsigned char* pdf, size_t size,
                         FirmantePdfResult* result);
void firmante_pdf_free_v1(FirmantePdfResult* result);
int firmante_pdf_letter_v1(const unsigned char* pdf, size_t size, FirmantePdfLetterResult* result);
void firmante_pdf_letter_free_v1(FirmantePdfLetterResult* result);

}  // extern "C"
