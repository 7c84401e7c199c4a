#include "LetterText.h"

#include <memory>

#include <poppler-document.h>
#include <poppler-page.h>

#include "firmante/pkcs11/Error.h"

namespace firmante::renewal {

using pkcs11::Error;
using pkcs11::Reason;

namespace {
bool isSpace(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
}  // namespace

std::string normalizeLetterText(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool pendingSpace = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        // U+00A0 (no-break space, C2 A0 in UTF-8) counts as whitespace: PDF producers use it.
        const bool nbsp =
            c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xA0;
        if (isSpace(c) || nbsp) {
            if (nbsp) ++i;
            pendingSpace = !out.empty();
            continue;
        }
        if (pendingSpace) out.push_back(' ');
        pendingSpace = false;
        out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a')
                                           : static_cast<char>(c));
    }
    return out;
}

std::string letterText(std::span<const unsigned char> pdf) {
    if (pdf.empty()) throw Error(Reason::LetterMismatch, "La carta está vacía. No se firmó nada.");
    // load_from_raw_data does not copy: `pdf` outlives `document` here.
    std::unique_ptr<poppler::document> document(poppler::document::load_from_raw_data(
        reinterpret_cast<const char*>(pdf.data()), static_cast<int>(pdf.size())));
    if (!document)
        throw Error(Reason::LetterMismatch,
                    "La carta no es un PDF que se pueda leer. No se firmó nada.");
    if (document->is_locked())
        throw Error(
            Reason::LetterMismatch,
            "La carta es un PDF protegido con contraseña; no se puede revisar. No se firmó nada.");
    std::string text;
    for (int i = 0; i < document->pages(); ++i) {
        std::unique_ptr<poppler::page> page(document->create_page(i));
        if (!page) continue;
        const poppler::byte_array utf8 = page->text().to_utf8();
        text.append(utf8.begin(), utf8.end());
        text.push_back('\n');
    }
    return normalizeLetterText(text);
}

}  // namespace firmante::renewal
