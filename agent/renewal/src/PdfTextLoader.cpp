// renewal::visibleLetterText and anyPdfText through firmante-pdf (PdfTextAbi.h): the module that
// links poppler is opened the first time a PDF is read, so that a process that never reads one
// (`firmante --help`, `firmante tokens`, most agent runs) never loads poppler's libraries.

#include <optional>
#include <span>
#include <string>

#include "PdfTextAbi.h"
#include "VisibleText.h"
#include "firmante/renewal/LetterCheck.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/protocol/OwnModule.h"
#include "firmante/protocol/Reasons.h"

#ifdef FIRMANTE_RENEWAL_HAVE_SPDLOG
#include <spdlog/spdlog.h>
#endif

// A binary that links the module's objects itself (the letter fuzzer) defines these; every other
// binary leaves them null and opens the module.
extern "C" __attribute__((weak)) int firmante_pdf_text_v1(int, const unsigned char*, size_t,
                                                         FirmantePdfResult*);
extern "C" __attribute__((weak)) void firmante_pdf_free_v1(FirmantePdfResult*);

namespace firmante::renewal {
namespace {

struct PdfModule {
    FirmantePdfTextFn text = nullptr;
    FirmantePdfFreeFn release = nullptr;
    std::string path;     // where it was opened from (empty: linked in)
    std::string problem;  // why it could not be used
};

PdfModule load() {
    if (&firmante_pdf_text_v1 && &firmante_pdf_free_v1)
        return {&firmante_pdf_text_v1, &firmante_pdf_free_v1, {}, {}};
    PdfModule module;
    protocol::OwnModule own = protocol::openOwnModule(
        FIRMANTE_PDF_BUILD_DIR, FIRMANTE_PDF_MODULE_BUILD, FIRMANTE_PDF_MODULE_INSTALLED);
    module.path = own.path;
    module.text = own.function<FirmantePdfTextFn>("firmante_pdf_text_v1");
    module.release = own.function<FirmantePdfFreeFn>("firmante_pdf_free_v1");
    if (!module.text || !module.release) {
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

std::string read(FirmantePdfMode mode, std::span<const unsigned char> pdf) {
    const PdfModule& m = module();
    if (!m.text)
        throw pkcs11::Error(pkcs11::Reason::Internal,
                            "Firmante no pudo cargar su lector de PDF (firmante-pdf); reinstale "
                            "Firmante. No se firmó nada.");
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
    const protocol::ReasonInfo* reason = protocol::findReason(result.reason ? result.reason : "");
    const std::string message = result.message ? result.message : "";
    m.release(&result);
    throw pkcs11::Error(reason ? reason->reason : pkcs11::Reason::Internal, message);
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

std::string anyPdfText(std::span<const unsigned char> document) {
    return read(kFirmantePdfAnyText, document);
}

}  // namespace firmante::renewal
