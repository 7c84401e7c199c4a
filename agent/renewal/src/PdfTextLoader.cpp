// renewal::visibleLetterText, visibleLetter and anyPdfText through firmante-pdf (PdfTextAbi.h):
// the module that links poppler is opened the first time a PDF is read, so that a process that
// never reads one
// (`firmante --help`, `firmante tokens`, most agent runs) never loads poppler's libraries.

#include <algorithm>
#include <cmath>
#include <optional>
#include <span>
#include <string>

#include "PdfTextAbi.h"
#include "VisibleText.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/protocol/OwnModule.h"
#include "firmante/protocol/Reasons.h"
#include "firmante/renewal/LetterCheck.h"

#ifdef FIRMANTE_RENEWAL_HAVE_SPDLOG
#include <spdlog/spdlog.h>
#endif

// A binary that links the module's objects itself (the letter fuzzer) defines these; every other
// binary leaves them null and opens the module.
extern "C" __attribute__((weak)) int firmante_pdf_text_v1(int, const unsigned char*, size_t,
                                                          FirmantePdfResult*);
extern "C" __attribute__((weak)) void firmante_pdf_free_v1(FirmantePdfResult*);
extern "C" __attribute__((weak)) int firmante_pdf_letter_v1(const unsigned char*, size_t,
                                                            FirmantePdfLetterResult*);
extern "C" __attribute__((weak)) void firmante_pdf_letter_free_v1(FirmantePdfLetterResult*);

namespace firmante::renewal {
namespace {

struct PdfModule {
    FirmantePdfTextFn text = nullptr;
    FirmantePdfFreeFn release = nullptr;
    FirmantePdfLetterFn letter = nullptr;
    FirmantePdfLetterFreeFn releaseLetter = nullptr;
    std::string path;     // where it was opened from (empty: linked in)
    std::string problem;  // why it could not be used
};

PdfModule load() {
    if (&firmante_pdf_text_v1 && &firmante_pdf_free_v1 && &firmante_pdf_letter_v1 &&
        &firmante_pdf_letter_free_v1)
        return {&firmante_pdf_text_v1,
                &firmante_pdf_free_v1,
                &firmante_pdf_letter_v1,
                &firmante_pdf_letter_free_v1,
                {},
                {}};
    PdfModule module;
    protocol::OwnModule own = protocol::openOwnModule(
        FIRMANTE_PDF_BUILD_DIR, FIRMANTE_PDF_MODULE_BUILD, FIRMANTE_PDF_MODULE_INSTALLED);
    module.path = own.path;
    module.text = own.function<FirmantePdfTextFn>("firmante_pdf_text_v1");
    module.release = own.function<FirmantePdfFreeFn>("firmante_pdf_free_v1");
    module.letter = own.function<FirmantePdfLetterFn>("firmante_pdf_letter_v1");
    module.releaseLetter = own.function<FirmantePdfLetterFreeFn>("firmante_pdf_letter_free_v1");
    if (!module.text || !module.release || !module.letter || !module.releaseLetter) {
        module.problem = own.problem;
        module.text = nullptr;
#ifdef FIRMANTE_RENEWAL_HAVE_SPDLOG
        // The agent's log file (its "renewal" logger); the CLI says it through doctor instead.
        if (auto log = spdlog::get("renewal"))
            log->error("the PDF reader module could not be loaded: {}", module.problem);
#endif
    }
    return module;
}

const PdfModule& module() {
    static const PdfModule loaded = load();
    return loaded;
}

[[noreturn]] void unavailable() {
    throw pkcs11::Error(pkcs11::Reason::Internal,
                        "Firmante no pudo cargar su lector de PDF (firmante-pdf); reinstale "
                        "Firmante. No se firmó nada.");
}

/// A refusal's reason and message, as the module put them, as the exception the callers expect.
[[noreturn]] void refused(const char* reasonWord, const char* message) {
    const protocol::ReasonInfo* reason = protocol::findReason(reasonWord ? reasonWord : "");
    throw pkcs11::Error(reason ? reason->reason : pkcs11::Reason::Internal, message ? message : "");
}

std::string read(FirmantePdfMode mode, std::span<const unsigned char> pdf) {
    const PdfModule& m = module();
    if (!m.text) unavailable();
    FirmantePdfResult result{};
    const int status = m.text(mode, pdf.data(), pdf.size(), &result);
    if (status == 0) {
        std::string text(result.text, result.textSize);
        m.release(&result);
        return text;
    }
    if (status != 1) {
        m.release(&result);
        throw std::bad_alloc();
    }
    const std::string reason = result.reason ? result.reason : "";
    const std::string message = result.message ? result.message : "";
    m.release(&result);
    refused(reason.c_str(), message.c_str());
}

/// Copies the module's answer, checking what the ABI promises: at most one glyph per byte of
/// text and kFirmantePdfMaxGlyphs in all, offsets inside the text and increasing, pages that
/// exist, boxes of finite numbers (clamped to the page).
VisibleLetter copyLetter(const FirmantePdfLetterResult& r) {
    const bool sized = r.text && r.glyphCount <= r.textSize &&
                       r.glyphCount <= kFirmantePdfMaxGlyphs && (r.glyphs || !r.glyphCount);
    if (!sized)
        throw pkcs11::Error(pkcs11::Reason::Internal, "firmante-pdf answered an invalid letter");
    VisibleLetter out;
    out.text.assign(r.text, r.textSize);
    out.glyphs.reserve(r.glyphCount);
    const auto share = [](float v) { return std::isfinite(v) ? std::clamp(v, 0.0f, 1.0f) : 0.0f; };
    for (std::size_t i = 0; i < r.glyphCount; ++i) {
        const FirmantePdfGlyph& g = r.glyphs[i];
        if (g.offset >= r.textSize || (i && g.offset <= r.glyphs[i - 1].offset) || g.page < 0 ||
            g.page >= kMaxPages)
            throw pkcs11::Error(pkcs11::Reason::Internal,
                                "firmante-pdf answered an invalid glyph place");
        out.glyphs.push_back(
            {g.offset, g.page, share(g.x0), share(g.y0), share(g.x1), share(g.y1)});
    }
    return out;
}

}  // namespace

std::optional<std::string> pdfReaderProblem() {
    const PdfModule& m = module();
    if (m.text) return std::nullopt;
    return m.problem;  // dlerror() names the file
}

std::string visibleLetterText(std::span<const unsigned char> pdf) {
    return read(kFirmantePdfVisibleLetterText, pdf);
}

VisibleLetter visibleLetter(std::span<const unsigned char> pdf) {
    const PdfModule& m = module();
    if (!m.text) unavailable();
    FirmantePdfLetterResult result{};
    const int status = m.letter(pdf.data(), pdf.size(), &result);
    if (status == 0) {
        try {
            VisibleLetter letter = copyLetter(result);
            m.releaseLetter(&result);
            return letter;
        } catch (...) {
            m.releaseLetter(&result);
            throw;
        }
    }
    if (status != 1) {
        m.releaseLetter(&result);
        throw std::bad_alloc();
    }
    const std::string reason = result.reason ? result.reason : "";
    const std::string message = result.message ? result.message : "";
    m.releaseLetter(&result);
    refused(reason.c_str(), message.c_str());
}

std::string anyPdfText(std::span<const unsigned char> document) {
    return read(kFirmantePdfAnyText, document);
}

}  // namespace firmante::renewal
