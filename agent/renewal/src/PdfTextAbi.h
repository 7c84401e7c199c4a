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

// Defined by the module (and by a binary that links the module's objects, like the letter
// fuzzer, in which case the loader calls them in-process).
int firmante_pdf_text_v1(int mode, const unsigned char* pdf, size_t size, FirmantePdfResult* result);
void firmante_pdf_free_v1(FirmantePdfResult* result);

}  // extern "C"
