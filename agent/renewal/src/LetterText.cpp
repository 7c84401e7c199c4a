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
        // Latin-1 capitals in UTF-8 (C3 80–C3 9E, but not × at C3 97): "LLAVE PÚBLICA NUEVA" must
        // read as the heading it is, so accented capitals are lower-cased too.
        const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
        if (c == 0xC3 && next >= 0x80 && next <= 0x9E && next != 0x97) {
            out.push_back(static_cast<char>(c));
            out.push_back(static_cast<char>(next + 0x20));
            ++i;
            continue;
        }
        out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a')
                                           : static_cast<char>(c));
    }
    return out;
}

namespace {
bool isHexDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}
}  // namespace

bool letterStates(const std::string& text, std::initializer_list<std::string_view> headings,
                  const std::string& value, bool mustAppear) {
    if (mustAppear && text.find(value) == std::string::npos) return false;
    for (std::string_view heading : headings) {
        for (std::size_t at = text.find(heading); at != std::string::npos;
             at = text.find(heading, at + 1)) {
            // The heading ends at a space or a separator ("Llave Pública Nueva: 03 82 …");
            // anything else means a longer word, not this heading.
            std::size_t start = at + heading.size();
            auto separator = [](char c) { return c == ' ' || c == ':' || c == '-' || c == '.'; };
            if (start >= text.size() || !separator(text[start])) continue;
            while (start < text.size() && separator(text[start])) ++start;
            // Prose after the heading ("la Llave Pública Nueva que…") is not a statement of a
            // value; a run of hex is, and it must be ours.
            std::size_t end = start;
            while (end < text.size() && isHexDigit(text[end])) ++end;
            if (end - start < 2) continue;
            if (text.compare(start, value.size(), value) != 0) return false;
            const std::size_t after = start + value.size();
            if (after < text.size() && text[after] != ' ') return false;
            // "…01 00 01" must not continue with more hex pairs: a longer key that merely starts
            // like ours is another key.
            if (after + 2 < text.size() && text[after] == ' ' && isHexDigit(text[after + 1]) &&
                isHexDigit(text[after + 2]) && (after + 3 == text.size() || text[after + 3] == ' '))
                return false;
        }
    }
    return true;
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
