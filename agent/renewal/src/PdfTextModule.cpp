// firmante-pdf's C entry points over the poppler readers (PdfTextAbi.h).

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <span>
#include <string>
#include <string_view>

#include "PdfTextAbi.h"
#include "VisibleText.h"
#include "firmante/pkcs11/Error.h"

namespace {

char* copyOf(std::string_view text) {
    char* out = static_cast<char*>(std::malloc(text.size() + 1));
    if (!out) throw std::bad_alloc();
    std::memcpy(out, text.data(), text.size());
    out[text.size()] = '\0';
    return out;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int firmante_pdf_text_v1(
    int mode, const unsigned char* pdf, size_t size, FirmantePdfResult* result) {
    using namespace firmante;
    *result = FirmantePdfResult{};
    const std::span<const unsigned char> bytes(pdf, size);
    try {
        try {
            const std::string text = mode == kFirmantePdfAnyText
                                         ? renewal::pdf::anyPdfText(bytes)
                                         : renewal::pdf::visibleLetterText(bytes);
            result->text = copyOf(text);
            result->textSize = text.size();
            return 0;
        } catch (const pkcs11::Error& e) {
            result->reason = copyOf(e.reasonWord());
            result->message = copyOf(e.what());
        } catch (const std::bad_alloc&) {
            throw;
        } catch (const std::exception& e) {
            result->reason = copyOf(protocol::reasonWord(protocol::Reason::Internal));
            result->message = copyOf(e.what());
        }
        return 1;
    } catch (const std::bad_alloc&) {
        firmante_pdf_free_v1(result);
        return 2;
    }
}

extern "C" __attribute__((visibility("default"))) void firmante_pdf_free_v1(
    FirmantePdfResult* result) {
    std::free(result->text);
    std::free(result->reason);
    std::free(result->message);
    *result = FirmantePdfResult{};
}

extern "C" __attribute__((visibility("default"))) int firmante_pdf_letter_v1(
    const unsigned char* pdf, size_t size, FirmantePdfLetterResult* result) {
    using namespace firmante;
    *result = FirmantePdfLetterResult{};
    const std::span<const unsigned char> bytes(pdf, size);
    try {
        try {
            const renewal::VisibleLetter letter = renewal::pdf::visibleLetter(bytes);
            result->text = copyOf(letter.text);
            result->textSize = letter.text.size();
            const std::size_t n = letter.glyphs.size();
            result->glyphs = static_cast<FirmantePdfGlyph*>(
                std::malloc(std::max<std::size_t>(n, 1) * sizeof(FirmantePdfGlyph)));
            if (!result->glyphs) throw std::bad_alloc();
            for (std::size_t i = 0; i < n; ++i) {
                const renewal::GlyphPlace& g = letter.glyphs[i];
                result->glyphs[i] = FirmantePdfGlyph{g.offset, g.page, g.x0, g.y0, g.x1, g.y1};
            }
            result->glyphCount = n;
            return 0;
        } catch (const pkcs11::Error& e) {
            firmante_pdf_letter_free_v1(result);
            result->reason = copyOf(e.reasonWord());
            result->message = copyOf(e.what());
        } catch (const std::bad_alloc&) {
            throw;
        } catch (const std::exception& e) {
            firmante_pdf_letter_free_v1(result);
            result->reason = copyOf(protocol::reasonWord(protocol::Reason::Internal));
            result->message = copyOf(e.what());
        } catch (...) {
            firmante_pdf_letter_free_v1(result);
            result->reason = copyOf(protocol::reasonWord(protocol::Reason::Internal));
            result->message = copyOf("firmante-pdf: unexpected exception");
        }
        return 1;
    } catch (const std::bad_alloc&) {
        firmante_pdf_letter_free_v1(result);
        return 2;
    }
}

extern "C" __attribute__((visibility("default"))) void firmante_pdf_letter_free_v1(
    FirmantePdfLetterResult* result) {
    std::free(result->text);
    std::free(result->glyphs);
    std::free(result->reason);
    std::free(result->message);
    *result = FirmantePdfLetterResult{};
}
