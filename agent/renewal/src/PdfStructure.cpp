#include "PdfStructure.h"

#include <algorithm>
#include <string_view>

#include <Catalog.h>
#include <GlobalParams.h>
#include <Object.h>
#include <PDFDoc.h>
#include <Page.h>
#include <Stream.h>
#include <XRef.h>

#include "VisibleText.h"
#include "firmante/pkcs11/Error.h"

namespace firmante::renewal {

using pkcs11::Error;
using pkcs11::Reason;

namespace {

// Poppler reports damaged objects on stderr; the check turns what matters into its own refusal.
void quiet(ErrorCategory, Goffset, const char*) {}

void ensurePopplerReady() {
    // GlobalParamsIniter counts users, so poppler-cpp elsewhere in the process shares it.
    static GlobalParamsIniter initer(quiet);
}

[[noreturn]] void refuse(const std::string& why) {
    throw Error(Reason::LetterMismatch, why + " No se firmó nada.");
}

std::size_t occurrences(std::span<const unsigned char> bytes, std::string_view needle) {
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1))
        ++n;
    return n;
}

bool hasKey(Dict* dict, const char* key) {
    return dict && !dict->lookupNF(key).isNull();
}

/// Annotations a viewer draws or acts on. A plain link (no appearance stream, no script) is
/// the only kind a letter may carry: it draws at most a thin border.
void refuseDrawingAnnotations(PDFDoc& doc, int pageNumber) {
    Page* page = doc.getPage(pageNumber);
    if (!page) refuse("La carta tiene una página que no se puede leer.");
    Object actions = page->getActions();
    if (!actions.isNull()) refuse("La carta contiene acciones automáticas en una página.");
    Object annots = page->getAnnotsObject();
    if (annots.isNull()) return;
    if (!annots.isArray()) refuse("La carta tiene anotaciones dañadas.");
    for (int i = 0; i < annots.arrayGetLength(); ++i) {
        Object annot = annots.arrayGet(i);
        if (!annot.isDict()) refuse("La carta tiene anotaciones dañadas.");
        Object subtype = annot.dictLookup("Subtype");
        Object action = annot.dictLookup("A");
        const bool script = action.isDict() && action.dictLookup("S").isName("JavaScript");
        if (!subtype.isName("Link") || hasKey(annot.getDict(), "AP") || script)
            refuse(
                "La carta contiene anotaciones que cambian lo que se ve (notas, sellos, "
                "campos o dibujos encima del texto).");
    }
}

}  // namespace

std::unique_ptr<PDFDoc> openPdf(std::span<const unsigned char> pdf,
                                std::shared_ptr<const bool>* reconstructed) {
    ensurePopplerReady();
    if (pdf.empty()) return nullptr;
    // Poppler keeps the callback and may call it long after the constructor, whenever a later
    // fetch finds the cross-reference table wrong: the flag must outlive this frame (a local
    // here was written after return — found by fuzz_letter_pdf under ASan).
    auto rebuilt = std::make_shared<bool>(false);
    // MemStream does not copy; the document is used only while `pdf` lives (its owner's scope).
    auto* stream = new MemStream(reinterpret_cast<const char*>(pdf.data()), 0,
                                 static_cast<Goffset>(pdf.size()), Object(objNull));
    auto doc =
        std::make_unique<PDFDoc>(stream, std::optional<GooString>{}, std::optional<GooString>{},
                                 nullptr, [rebuilt] { *rebuilt = true; });
    if (reconstructed) *reconstructed = rebuilt;
    if (!doc->isOk()) return nullptr;
    return doc;
}

std::unique_ptr<PDFDoc> openJudgeablePdf(std::span<const unsigned char> pdf) {
    if (pdf.empty()) refuse("La carta está vacía.");
    const std::size_t head = std::min<std::size_t>(pdf.size(), 1024);
    if (occurrences(pdf.first(head), "%PDF-") == 0) refuse("La carta no es un PDF.");
    // Each incremental update appends a trailer ending in startxref: a second revision can paint
    // over the first, and viewers differ in which they show (DESIGN §3 rule 4).
    if (occurrences(pdf, "startxref") > 1)
        refuse("La carta fue modificada después de crearse (tiene más de una revisión).");
    std::shared_ptr<const bool> reconstructed;
    std::unique_ptr<PDFDoc> doc = openPdf(pdf, &reconstructed);
    if (!doc) refuse("La carta no es un PDF que se pueda leer.");
    const auto refuseIfRebuilt = [&reconstructed] {
        if (*reconstructed)
            refuse("La carta es un PDF dañado (su índice de objetos no corresponde al archivo).");
    };
    refuseIfRebuilt();
    if (doc->isEncrypted()) refuse("La carta es un PDF cifrado o protegido; no se puede revisar.");
    if (!doc->getXRef()->getTrailerDict()->dictLookup("Prev").isNull())
        refuse("La carta fue modificada después de crearse (tiene más de una revisión).");

    Object catalog = doc->getXRef()->getCatalog();
    if (!catalog.isDict()) refuse("La carta no es un PDF que se pueda leer.");
    Dict* root = catalog.getDict();
    Object openAction = root->lookup("OpenAction");
    if (openAction.isDict() || hasKey(root, "AA"))
        refuse("La carta contiene acciones automáticas (JavaScript u otras).");
    Catalog* cat = doc->getCatalog();
    if (cat->numJS() > 0 || hasKey(root, "JavaScript")) refuse("La carta contiene JavaScript.");
    if (cat->numEmbeddedFiles() > 0 || hasKey(root, "Collection"))
        refuse("La carta contiene archivos incrustados.");
    if (hasKey(root, "AcroForm"))
        refuse("La carta contiene un formulario, cuyos campos pueden cambiar lo que se ve.");
    if (hasKey(root, "OCProperties"))
        refuse("La carta contiene capas que se pueden ocultar o mostrar.");
    const int pages = doc->getNumPages();
    if (pages < 1) refuse("La carta no tiene páginas.");
    if (pages > kMaxPages) refuse("La carta tiene demasiadas páginas para revisarla.");
    for (int p = 1; p <= pages; ++p) refuseDrawingAnnotations(*doc, p);
    // Walking the page tree fetches objects the open did not: the table may prove wrong only now.
    refuseIfRebuilt();
    return doc;
}

}  // namespace firmante::renewal
