#include "PdfLetter.h"

#include <memory>
#include <sstream>
#include <stdexcept>

#include <hpdf.h>

namespace firmante::renewal::testing {

namespace {
struct HpdfFree {
    void operator()(HPDF_Doc doc) const noexcept { HPDF_Free(doc); }
};

void ok(HPDF_STATUS status, const char* what) {
    if (status != HPDF_OK) throw std::runtime_error(std::string("libharu: ") + what + " failed");
}
}  // namespace

pkcs11::Bytes makePdfLetter(const std::vector<std::string>& lines) {
    std::vector<PdfLine> plain;
    for (const auto& line : lines) plain.push_back({line});
    return makeStyledPdfLetter(plain);
}

pkcs11::Bytes makeStyledPdfLetter(const std::vector<PdfLine>& lines) {
    std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, HpdfFree> pdf(HPDF_New(nullptr, nullptr));
    if (!pdf) throw std::runtime_error("libharu: HPDF_New failed");
    HPDF_Font font = HPDF_GetFont(pdf.get(), "Helvetica", nullptr);
    if (!font) throw std::runtime_error("libharu: no Helvetica");

    HPDF_Page page = nullptr;
    HPDF_REAL y = 0;
    auto newPage = [&] {
        if (page) ok(HPDF_Page_EndText(page), "EndText");
        page = HPDF_AddPage(pdf.get());
        if (!page) throw std::runtime_error("libharu: AddPage failed");
        ok(HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT), "SetSize");
        ok(HPDF_Page_SetFontAndSize(page, font, 10), "SetFontAndSize");
        ok(HPDF_Page_BeginText(page), "BeginText");
        y = HPDF_Page_GetHeight(page) - static_cast<HPDF_REAL>(kLetterTop);
    };
    newPage();
    bool first = true;
    for (const auto& line : lines) {
        if (y < 50 || (line.startsPage && !first)) newPage();
        first = false;
        const bool white = line.look == PdfLine::Look::WhiteText;
        if (white) ok(HPDF_Page_SetRGBFill(page, 1, 1, 1), "SetRGBFill");
        ok(HPDF_Page_TextOut(page, 50, y, line.text.c_str()), "TextOut");
        if (white) ok(HPDF_Page_SetRGBFill(page, 0, 0, 0), "SetRGBFill");
        if (line.look == PdfLine::Look::CoveredByFill) {
            ok(HPDF_Page_EndText(page), "EndText");
            ok(HPDF_Page_SetRGBFill(page, 1, 1, 1), "SetRGBFill");
            ok(HPDF_Page_Rectangle(page, 45, y - 4, 510, 14), "Rectangle");
            ok(HPDF_Page_Fill(page), "Fill");
            ok(HPDF_Page_SetRGBFill(page, 0, 0, 0), "SetRGBFill");
            ok(HPDF_Page_BeginText(page), "BeginText");
        }
        y -= static_cast<HPDF_REAL>(kLetterLeading);
    }
    ok(HPDF_Page_EndText(page), "EndText");

    ok(HPDF_SaveToStream(pdf.get()), "SaveToStream");
    HPDF_UINT32 size = HPDF_GetStreamSize(pdf.get());
    pkcs11::Bytes out(size);
    ok(HPDF_ResetStream(pdf.get()), "ResetStream");
    ok(HPDF_ReadFromStream(pdf.get(), out.data(), &size), "ReadFromStream");
    out.resize(size);
    return out;
}

HiddenCopyLetter letterWithHiddenKeyCopy(const std::string& newSpkiHex,
                                         const std::string& oldSpkiHex, PdfLine::Look hiddenLook) {
    using Look = PdfLine::Look;
    HiddenCopyLetter out;
    std::vector<PdfLine> lines;
    int page = 0, row = 0;                     // of the next line
    constexpr std::size_t kPairsPerLine = 28;  // an RSA-2048 key in 11 lines: one page holds all
    // The vertical extent of rows [from, to) as a share of the page: 10 pt Helvetica reaches
    // about 9 pt above its baseline and 3 pt below.
    const auto top = [](int from) { return (kLetterTop + from * kLetterLeading - 10) / kA4Height; };
    const auto bottom = [](int to) {
        return (kLetterTop + (to - 1) * kLetterLeading + 4) / kA4Height;
    };
    const auto add = [&](const std::string& text, Look look = Look::Visible, bool newPage = false) {
        if (newPage) {
            ++page;
            row = 0;
        }
        lines.push_back({text, look, newPage});
        ++row;
    };
    const auto block = [&](Look look, int& pageOut, double& topOut, double& bottomOut) {
        pageOut = page;
        const int from = row;
        for (const auto& l : wrapHex(newSpkiHex, kPairsPerLine)) add(l, look);
        topOut = top(from);
        bottomOut = bottom(row);
    };
    add("INSTITUTO MEXICANO DEL SEGURO SOCIAL");
    add("Carta de Aceptacion de Renovacion de Certificado Digital");
    add("El que suscribe Sr.(a) PRUEBA 4 PRUEBA, representante legal de la empresa PRUEBA 4,");
    add("acepta los terminos y condiciones para la renovacion de su Certificado Digital.");
    add("");
    if (hiddenLook == Look::WhiteText) {
        block(Look::WhiteText, out.hiddenPage, out.hiddenTop, out.hiddenBottom);
        add("Llave Publica Nueva", Look::Visible, true);
    } else {
        add("Llave Publica Nueva");
    }
    block(Look::Visible, out.visiblePage, out.visibleTop, out.visibleBottom);
    add("Llave Publica Anterior");
    for (const auto& l : wrapHex(oldSpkiHex, kPairsPerLine)) add(l);
    add("No. De Folio: 88 a5 f3 56 9e 1e d3 5b 11 81 6c 22 cd 7b 27 4a");
    add("Usuario: A064878710");
    if (hiddenLook != Look::WhiteText) {
        add("");
        add("");
        block(hiddenLook, out.hiddenPage, out.hiddenTop, out.hiddenBottom);
    }
    out.pdf = makeStyledPdfLetter(lines);
    return out;
}

std::vector<std::string> wrapHex(const std::string& spacedHex, std::size_t pairsPerLine) {
    std::istringstream in(spacedHex);
    std::vector<std::string> lines;
    std::string pair, line;
    std::size_t n = 0;
    while (in >> pair) {
        line += (line.empty() ? "" : " ") + pair;
        if (++n == pairsPerLine) {
            lines.push_back(line);
            line.clear();
            n = 0;
        }
    }
    if (!line.empty()) lines.push_back(line);
    return lines;
}

}  // namespace firmante::renewal::testing
