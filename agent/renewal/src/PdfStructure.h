#pragma once

#include <memory>
#include <span>

class PDFDoc;

namespace firmante::renewal {

/// Opens `pdf` with poppler's core (the bytes must outlive the document) and refuses what a
/// letter check cannot judge the way every viewer would (see visibleLetterText). Throws
/// pkcs11::Error(LetterMismatch) with an es-MX message.
std::unique_ptr<PDFDoc> openJudgeablePdf(std::span<const unsigned char> pdf);

/// Opens `pdf` with poppler's core, or nullptr when it is not a readable PDF. Never throws.
/// `reconstructed`, when given, receives a flag that turns true whenever poppler has to rebuild
/// the cross-reference table — at the open or at any later fetch.
std::unique_ptr<PDFDoc> openPdf(std::span<const unsigned char> pdf,
                                std::shared_ptr<const bool>* reconstructed = nullptr);

}  // namespace firmante::renewal
