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
        y = HPDF_Page_GetHeight(page) - 50;
    };
    newPage();
    for (const auto& line : lines) {
        if (y < 50) newPage();
        ok(HPDF_Page_TextOut(page, 50, y, line.c_str()), "TextOut");
        y -= 14;
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
