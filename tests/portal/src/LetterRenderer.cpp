#include "firmante/portal/LetterRenderer.h"

#include "firmante/portal/Pki.h"
#include "firmante/renewal/LetterHeadings.h"

#include <hpdf.h>

#include <ctime>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace firmante::portal {

namespace {

/// UTF-8 → Windows-1252, the byte encoding of libharu's "WinAnsiEncoding".
/// Characters outside CP1252 become '?' (the letters only use Spanish text).
std::string toCp1252(std::string_view utf8) {
    std::string out;
    for (size_t i = 0; i < utf8.size();) {
        unsigned char c = static_cast<unsigned char>(utf8[i]);
        uint32_t cp = 0;
        size_t len = 1;
        if (c < 0x80) {
            cp = c;
        } else if ((c & 0xe0) == 0xc0 && i + 1 < utf8.size()) {
            cp = ((c & 0x1f) << 6) | (utf8[i + 1] & 0x3f);
            len = 2;
        } else if ((c & 0xf0) == 0xe0 && i + 2 < utf8.size()) {
            cp = ((c & 0x0f) << 12) | ((utf8[i + 1] & 0x3f) << 6) | (utf8[i + 2] & 0x3f);
            len = 3;
        } else {
            cp = '?';
            len = (c & 0xf8) == 0xf0 ? 4 : 1;
        }
        i += len;
        if (cp < 0x80 || (cp >= 0xa0 && cp <= 0xff)) {
            out += static_cast<char>(cp);
        } else {
            switch (cp) {
                case 0x2022:
                    out += '\x95';
                    break;  // •
                case 0x2013:
                    out += '\x96';
                    break;  // –
                case 0x2014:
                    out += '\x97';
                    break;  // —
                case 0x201c:
                    out += '\x93';
                    break;  // “
                case 0x201d:
                    out += '\x94';
                    break;  // ”
                case 0x2018:
                    out += '\x91';
                    break;  // ‘
                case 0x2019:
                    out += '\x92';
                    break;  // ’
                default:
                    out += '?';
            }
        }
    }
    return out;
}

void onHpdfError(HPDF_STATUS error, HPDF_STATUS detail, void* userData) {
    auto* status = static_cast<std::string*>(userData);
    // libharu is C: record the error and let the caller throw after the call returns.
    if (status->empty()) {
        std::ostringstream s;
        s << "libharu error 0x" << std::hex << error << " (detail " << std::dec << detail << ")";
        *status = s.str();
    }
}

/// A top-to-bottom text flow over A4 pages with automatic line and page breaks.
class PdfComposer {
  public:
    PdfComposer() : doc_(HPDF_New(onHpdfError, &error_)) {
        if (!doc_) throw std::runtime_error("HPDF_New failed");
        HPDF_SetCompressionMode(doc_, HPDF_COMP_ALL);
        regular_ = HPDF_GetFont(doc_, "Helvetica", "WinAnsiEncoding");
        bold_ = HPDF_GetFont(doc_, "Helvetica-Bold", "WinAnsiEncoding");
        mono_ = HPDF_GetFont(doc_, "Courier", "WinAnsiEncoding");
        HPDF_SetInfoAttr(doc_, HPDF_INFO_CREATOR, "firmante-portal");
        check();
        newPage();
    }
    ~PdfComposer() { HPDF_Free(doc_); }
    PdfComposer(const PdfComposer&) = delete;
    PdfComposer& operator=(const PdfComposer&) = delete;

    enum class Style { Regular, Bold, Mono };

    void setTitle(const std::string& title) {
        HPDF_SetInfoAttr(doc_, HPDF_INFO_TITLE, toCp1252(title).c_str());
    }

    void paragraph(const std::string& utf8, Style style = Style::Regular, float size = 9.5f,
                   float indent = 0, bool centered = false) {
        HPDF_Font font = fontFor(style);
        std::string text = toCp1252(utf8);
        const float width = kWidth - indent;
        size_t pos = 0;
        while (pos < text.size()) {
            HPDF_Page_SetFontAndSize(page_, font, size);
            std::string rest = text.substr(pos);
            HPDF_REAL real = 0;
            HPDF_UINT n = HPDF_Page_MeasureText(page_, rest.c_str(), width, HPDF_TRUE, &real);
            if (n == 0) n = HPDF_Page_MeasureText(page_, rest.c_str(), width, HPDF_FALSE, &real);
            if (n == 0) n = 1;
            std::string line = rest.substr(0, n);
            while (!line.empty() && line.back() == ' ') line.pop_back();
            emitLine(line, font, size, indent, centered);
            pos += n;
            while (pos < text.size() && text[pos] == ' ') ++pos;
        }
        if (text.empty()) emitLine("", font, size, indent, centered);
    }

    void gap(float points = 6) {
        y_ -= points;
        if (y_ < kBottom) newPage();
    }

    Bytes save() {
        HPDF_SaveToStream(doc_);
        check();
        Bytes out(HPDF_GetStreamSize(doc_));
        HPDF_UINT32 size = static_cast<HPDF_UINT32>(out.size());
        HPDF_ResetStream(doc_);
        HPDF_ReadFromStream(doc_, out.data(), &size);
        out.resize(size);
        check();
        return out;
    }

  private:
    static constexpr float kLeft = 56, kWidth = 483, kTop = 800, kBottom = 56;

    HPDF_Font fontFor(Style s) const {
        return s == Style::Bold ? bold_ : s == Style::Mono ? mono_ : regular_;
    }

    void newPage() {
        page_ = HPDF_AddPage(doc_);
        HPDF_Page_SetSize(page_, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
        y_ = kTop;
        check();
    }

    void emitLine(const std::string& line, HPDF_Font font, float size, float indent,
                  bool centered) {
        const float leading = size * 1.3f;
        if (y_ - leading < kBottom) newPage();
        y_ -= leading;
        HPDF_Page_SetFontAndSize(page_, font, size);
        float x = kLeft + indent;
        if (centered) x = kLeft + (kWidth - HPDF_Page_TextWidth(page_, line.c_str())) / 2;
        HPDF_Page_BeginText(page_);
        HPDF_Page_TextOut(page_, x, y_, line.c_str());
        HPDF_Page_EndText(page_);
        check();
    }

    void check() {
        if (!error_.empty()) throw std::runtime_error(error_);
    }

    std::string error_;
    HPDF_Doc doc_;
    HPDF_Page page_ = nullptr;
    HPDF_Font regular_ = nullptr, bold_ = nullptr, mono_ = nullptr;
    float y_ = kTop;
};

const char* const kTerms[] = {
    "El patrón, sujeto obligado o su representante legal, manifiestan conocer los lineamientos "
    "para la Asignación del Número Patronal de Identificación Electrónica y Certificado Digital, "
    "aprobados por el H. Consejo Técnico del Instituto Mexicano del Seguro Social mediante "
    "Acuerdo 43/2004, en su sesión celebrada el 21 de enero de 2004, publicados en el Diario "
    "Oficial de la Federación el 3 de marzo de 2004.",
    "El patrón, sujeto obligado o representante legal obligado es responsable del uso adecuado y "
    "la guarda del Número Patronal de Identificación Electrónica, y Certificado Digital, en caso "
    "contrario se hará merecedor a las sanciones contenidas en las Leyes respectivas y "
    "aplicables, estando considerada la revocación administrativa del Certificado Digital, por "
    "parte del Instituto Mexicano del Seguro Social.",
    "En caso de que se presentara una controversia legal entre el patrón o sujeto obligado y el "
    "Instituto, las partes se someterán a la competencia de las autoridades y tribunales "
    "Federales.",
    "Los patrones y sujetos obligados que utilicen el intercambio de información por medios "
    "electrónicos seguros, estarán expresando su voluntad para que en sustitución de su firma "
    "autógrafa se utilice su Número Patronal de Identificación Electrónica y Certificado Digital.",
    "Los patrones y sujetos obligados aceptan y manifiestan su conformidad al realizar el "
    "intercambio de información a través de medios electrónicos seguros para la recepción de "
    "notificaciones electrónicas, así mismo se obligan a dar respuesta por la misma vía al "
    "Instituto. Dichas promociones, producirán los mismos efectos legales que los documentos "
    "firmados autógrafamente y en consecuencia tendrán el mismo valor probatorio que las "
    "disposiciones aplicables les otorgan a éstos, siendo considerada como prueba la información "
    "contenida en los medios electrónicos, ópticos, magneto ópticos o de cualquier otra "
    "tecnología.",
    "El patrón, sujeto obligado o su representante legal deberá notificar al Instituto Mexicano "
    "del Seguro Social de la pérdida, robo o destrucción de su Certificado Digital, para proceder "
    "a su cancelación y posterior reposición, sujetándose a los procesos y lineamientos que el "
    "Instituto Mexicano del Seguro Social señale.",
    "La presentación de la notificación por pérdida, robo o destrucción a la que se refiere el "
    "párrafo anterior, no exime al patrón, sujeto obligado o representante legal de cumplir con "
    "sus obligaciones legales de todos los actos realizados bajo el amparo de dicho Certificado "
    "Digital y serán válidos hasta la presentación de la notificación correspondiente.",
    "Es necesario que para la utilización del Número Patronal de Identificación Electrónica y el "
    "Certificado Digital el patrón, sujeto obligado o representante legal realice el "
    "procedimiento de activación, para que el Instituto Mexicano del Seguro Social certifique la "
    "validez del uso de los medios de identificación digital.",
    "El Instituto Mexicano del Seguro Social enviará al correo electrónico designado por el "
    "patrón, sujeto obligado o representante legal, en forma confidencial lo siguiente:",
    "Para obtener acceso a los sistemas de intercambio de información electrónica del Instituto "
    "Mexicano del Seguro Social que así lo requieran, el patrón, sujeto obligado o representante "
    "legal, deberá utilizar los archivos de identificación digital señalados en el párrafo que "
    "precede, de acuerdo con los lineamientos de cada sistema.",
};

const char* const kPoint9Items[] = {
    "Número Patronal de Identificación Electrónica.",
    "Archivo de Llave Privada.",
    "Archivo de Certificado Digital, que valida la utilización de los dos conceptos anteriores.",
    "Liga de acceso para instalar el Certificado Digital.",
};

void keyBlock(PdfComposer& pdf, const std::string& title, const Bytes& spki) {
    using Style = PdfComposer::Style;
    pdf.gap(4);
    pdf.paragraph(title, Style::Bold, 10);
    std::istringstream lines(spkiHexWrapped(spki, 22));
    for (std::string line; std::getline(lines, line);) pdf.paragraph(line, Style::Mono, 8.5f);
}

Bytes renderLetter(const LetterContent& c, bool terms) {
    using Style = PdfComposer::Style;
    const EmployerRecord& e = c.employer;
    PdfComposer pdf;
    const std::string title = terms
                                  ? "Carta de Términos y Condiciones para la Obtención-Renovación "
                                    "y Uso del Certificado Digital"
                                  : "Carta de Aceptación de Renovación de Certificado Digital";
    pdf.setTitle(title);

    pdf.paragraph("INSTITUTO MEXICANO DEL SEGURO SOCIAL", Style::Bold, 12, 0, true);
    pdf.paragraph("SEGURIDAD Y SOLIDARIDAD SOCIAL", Style::Bold, 10, 0, true);
    pdf.paragraph("DIRECCIÓN DE INCORPORACIÓN Y RECAUDACIÓN DEL SEGURO SOCIAL", Style::Regular, 8,
                  0, true);
    pdf.gap(8);
    pdf.paragraph(title, Style::Bold, 11, 0, true);
    pdf.gap(4);
    pdf.paragraph(LetterRenderer::spanishDate(c.date), Style::Regular, 9.5f, 300);
    pdf.gap(4);
    pdf.paragraph(
        "Carta de Términos y Condiciones para la Obtención y Uso del Número Patronal de "
        "Identificación Electrónica y Certificado Digital",
        Style::Bold, 9.5f);
    pdf.gap(4);
    pdf.paragraph("C. Subdelegado del Instituto Mexicano del Seguro Social.");
    pdf.paragraph("Presente:");
    pdf.gap(4);
    pdf.paragraph(
        "El que suscribe Sr.(a) " + e.representanteLegal() +
        ", patrón, sujeto obligado o representante legal de la empresa " + e.razonSocial +
        " con Número de Registro Patronal " + e.registroPatronal +
        ", con domicilio fiscal ubicado en el Estado de " + e.entidadFederativa +
        " en la ciudad de " + e.ciudad + ", Municipio o Delegación " + e.municipio + ", Colonia " +
        e.colonia + ", Calle " + e.calle + ", Número Exterior " + e.numeroExterior +
        ", Número Interior " + e.numeroInterior + " y Código Postal " + e.codigoPostal +
        ", con Número de Registro Federal de Contribuyentes " + e.rfc +
        ", manifiesto mi conocimiento y aceptación de los términos y condiciones a los que me "
        "hago acreedor por la obtención, uso y manejo de:");
    pdf.paragraph("• Número Patronal de Identificación Electrónica", Style::Regular, 9.5f, 14);
    pdf.paragraph("• y Certificado Digital.", Style::Regular, 9.5f, 14);
    pdf.gap(4);
    pdf.paragraph(
        "Mismos que se requerirán para el intercambio de información segura a través de "
        "aplicaciones y medios de comunicación electrónica entre la empresa que "
        "represento y el Instituto Mexicano del Seguro Social.");
    pdf.gap(6);
    pdf.paragraph("TÉRMINOS Y CONDICIONES.", Style::Bold, 10);
    int n = 1;
    for (const char* term : kTerms) {
        pdf.gap(2);
        pdf.paragraph(std::to_string(n) + ". " + term, Style::Regular, 9, 0);
        if (n == 9)
            for (const char* item : kPoint9Items)
                pdf.paragraph(std::string("• ") + item, Style::Regular, 9, 18);
        ++n;
    }
    pdf.gap(4);
    pdf.paragraph(
        "Asimismo, manifiesto bajo protesta de decir verdad que los datos contenidos en "
        "el presente documento son correctos y que la empresa cubre el total de los "
        "requisitos señalados por esa Institución.");
    pdf.gap(8);
    pdf.paragraph("ATENTAMENTE.", Style::Bold, 10, 0, true);
    pdf.paragraph(e.representanteLegal(), Style::Regular, 9.5f, 0, true);
    pdf.paragraph("Patrón, Sujeto Obligado o Representante Legal", Style::Regular, 9.5f, 0, true);
    pdf.gap(6);

    keyBlock(pdf, std::string(renewal::headings::kNewKey), c.newSpki);
    keyBlock(pdf, std::string(renewal::headings::kOldKey), c.oldSpki);
    if (terms) {
        pdf.gap(4);
        pdf.paragraph(std::string(renewal::headings::kPreviousLetter), Style::Bold, 10);
        pdf.paragraph(c.previousLetterSha1, Style::Mono, 9);
    }
    pdf.gap(6);
    pdf.paragraph("No. De Folio: " + c.folio);
    pdf.paragraph("Usuario: " + e.usuario);
    pdf.paragraph("NPIE: " + e.npie);
    pdf.paragraph("Correo Electrónico: " + e.correo);
    return pdf.save();
}

}  // namespace

Bytes LetterRenderer::acceptanceLetter(const LetterContent& content) {
    return renderLetter(content, false);
}

Bytes LetterRenderer::termsLetter(const LetterContent& content) {
    if (content.previousLetterSha1.size() != 40)
        throw std::invalid_argument("terms letter needs the acceptance letter's SHA-1");
    return renderLetter(content, true);
}

std::string LetterRenderer::spanishDate(std::chrono::system_clock::time_point t) {
    static const char* const kMonths[] = {"ENERO",      "FEBRERO", "MARZO",     "ABRIL",
                                          "MAYO",       "JUNIO",   "JULIO",     "AGOSTO",
                                          "SEPTIEMBRE", "OCTUBRE", "NOVIEMBRE", "DICIEMBRE"};
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    struct tm tm {};
    gmtime_r(&tt, &tm);
    return "A " + std::to_string(tm.tm_mday) + " DE " + kMonths[tm.tm_mon] + " DE " +
           std::to_string(tm.tm_year + 1900);
}

}  // namespace firmante::portal
