#pragma once

#include "firmante/portal/Codec.h"
#include "firmante/portal/EmployerRecord.h"

#include <chrono>
#include <string>

namespace firmante::portal {

/// What goes into a renewal letter (manual, steps 6 and 11).
struct LetterContent {
    EmployerRecord employer;
    Bytes newSpki;      ///< DER SubjectPublicKeyInfo of the new key ("Llave Pública Nueva")
    Bytes oldSpki;      ///< DER SubjectPublicKeyInfo of the expired certificate's key
    std::string folio;  ///< 16 random bytes as spaced lower-case hex ("No. De Folio")
    std::chrono::system_clock::time_point date;
    /// Terms letter only: SHA-1 of the acceptance letter's bytes, 40 upper-case hex digits.
    std::string previousLetterSha1;
};

/// Renders the two renewal letters as PDF (libharu, Helvetica with
/// WinAnsiEncoding so Spanish accents are real characters a PDF reader extracts).
class LetterRenderer {
  public:
    static constexpr const char* kAcceptanceFileName = "CartadeAceptaciondeRenovacion.pdf";
    static constexpr const char* kTermsFileName = "CartaTerminosCondiciones.pdf";

    /// Letter 1, "Carta de Aceptación de Renovación de Certificado Digital".
    /// Throws std::runtime_error when libharu fails.
    static Bytes acceptanceLetter(const LetterContent& content);
    /// Letter 2, the terms letter with "Cadena de Identificación de Carta Anterior".
    static Bytes termsLetter(const LetterContent& content);

    /// "A 26 DE NOVIEMBRE DE 2026" (UTC date).
    static std::string spanishDate(std::chrono::system_clock::time_point t);
};

}  // namespace firmante::portal
