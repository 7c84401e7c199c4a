#include "DialogFixtures.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <stdexcept>

#include "PdfLetter.h"
#include "firmante/agent/OriginPolicy.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/portal/LetterRenderer.h"
#include "firmante/renewal/LetterCheck.h"

namespace firmante::testing {

namespace {

prompt::PromptDetails common(prompt::PromptKind kind) {
    prompt::PromptDetails d;
    d.kind = kind;
    d.site = "https://idse.imss.example";
    d.token = "Token de la empresa";
    d.key = "Firma IDSE 2025";
    return d;
}

std::vector<unsigned char> freshSpki() {
    EVP_PKEY* key = EVP_RSA_gen(2048);
    if (!key) throw std::runtime_error("EVP_RSA_gen failed");
    unsigned char* der = nullptr;
    const int n = i2d_PUBKEY(key, &der);
    EVP_PKEY_free(key);
    if (n <= 0) throw std::runtime_error("i2d_PUBKEY failed");
    std::vector<unsigned char> out(der, der + n);
    OPENSSL_free(der);
    return out;
}

}  // namespace

prompt::PromptText pinForNewKey() {
    prompt::PromptText text;
    auto d = common(prompt::PromptKind::Pin);
    d.title = {"PIN de Token de la empresa", "PIN for Token de la empresa"};
    d.operation = {"Generar una llave nueva en el token para renovar el certificado",
                   "Generate a new key on the token to renew the certificate"};
    d.accept = {"Generar llave", "Generate key"};
    d.check = prompt::Bilingual{"Certificado actual: CN=PRUEBA 4,O=PRUEBA 4",
                                "Current certificate: CN=PRUEBA 4,O=PRUEBA 4"};
    d.warning =
        prompt::Bilingual{"Atención: ya se tecleó un PIN incorrecto; quedan pocos intentos.",
                          "Warning: a wrong PIN was entered before; few tries are left."};
    text.details = d;
    return text;
}

prompt::PromptText deletion() {
    prompt::PromptText text;
    auto d = common(prompt::PromptKind::Destructive);
    d.title = {"Confirmar la eliminación", "Confirm the deletion"};
    d.operation = {"¿Eliminar del token el certificado anterior y su llave?",
                   "Delete the previous certificate and its key from the token?"};
    d.accept = {"Eliminar", "Delete"};
    d.refuse = {"Conservar", "Keep"};
    d.check = prompt::Bilingual{
        "Se eliminará el certificado CN=PRUEBA 4 (serie 01). El certificado nuevo, vigente "
        "hasta 2027-12-02, queda en el token.",
        "The certificate CN=PRUEBA 4 (serial 01) will be deleted. The new certificate, valid "
        "until 2027-12-02, stays on the token."};
    text.details = d;
    return text;
}

// The agent's own question (OriginPolicy), so the dialog tests draw what a site really gets.
prompt::PromptText siteConsent(const std::string& site) {
    return agent::siteConsentPrompt(site);
}

prompt::PromptText revokeSite(const std::string& site) {
    return agent::revokeSitePrompt(site);
}

prompt::PromptText batch() {
    prompt::PromptText text;
    auto d = common(prompt::PromptKind::Pin);
    d.title = {"PIN de Token de la empresa", "PIN for Token de la empresa"};
    d.operation = {"Firmar 3 documentos", "Sign 3 documents"};
    d.accept = {"Firmar", "Sign"};
    for (int i = 1; i <= 3; ++i) {
        d.documents.push_back({"factura-" + std::to_string(i) + ".xml",
                               std::string(63, static_cast<char>('0' + i)) + "f"});
    }
    text.details = d;
    return text;
}

const Letter& portalLetter() {
    static const Letter letter = [] {
        portal::LetterContent content;
        content.employer = portal::EmployerRecord::demo();
        content.newSpki = freshSpki();
        content.oldSpki = freshSpki();
        content.folio = "0f 1e 2d 3c 4b 5a 69 78 87 96 a5 b4 c3 d2 e1 f0";
        content.date = std::chrono::system_clock::now();
        Letter out;
        out.pdf = std::make_shared<const std::vector<unsigned char>>(
            portal::LetterRenderer::acceptanceLetter(content));
        const std::string oldHex = pkcs11::spkiHex(content.oldSpki);
        out.boxesOfItsKey = checkedBoxes(*out.pdf, pkcs11::spkiHex(content.newSpki), oldHex);
        out.boxesOfAnotherKey = checkedBoxes(*out.pdf, pkcs11::spkiHex(freshSpki()), oldHex);
        return out;
    }();
    return letter;
}

std::vector<prompt::PageBox> checkedBoxes(const std::vector<unsigned char>& pdf,
                                          const std::string& newKeyHex,
                                          const std::string& oldKeyHex) {
    std::vector<renewal::LetterBox> found;
    try {
        (void)renewal::checkRenewalLetter(pdf, {newKeyHex, oldKeyHex, {}}, &found);
    } catch (const std::exception&) {
        return {};
    }
    std::vector<prompt::PageBox> out;
    for (const auto& b : found) out.push_back({b.page, b.x0, b.y0, b.x1, b.y1});
    return out;
}

prompt::PromptText letterConfirmation(const Letter& letter, bool itsOwnKey) {
    prompt::PromptText text;
    auto d = common(prompt::PromptKind::Letter);
    d.title = {"Confirmar la firma", "Confirm the signature"};
    d.operation = {"Firmar la Carta de Aceptación de Renovación",
                   "Sign the Renewal Acceptance Letter"};
    d.accept = {"Firmar carta", "Sign letter"};
    d.fileName = "CartadeAceptaciondeRenovacion.pdf";
    d.sha256Hex = std::string(64, 'c');
    d.check = prompt::Bilingual{
        "La carta muestra, bajo «Llave Pública Nueva», la llave generada en su token.",
        "The letter shows, under “Llave Pública Nueva”, the key generated on your token."};
    d.keyFingerprint =
        "3f2a 91c0 77de 0b41 5c3e 8a90 d1f2 6b07 2e4c 9a18 b5d3 0f6e 41a7 c2d9 "
        "8e05 7b3c";
    d.note =
        prompt::Bilingual{"El token ya está desbloqueado para esta renovación: no se pide el PIN.",
                          "The token is already unlocked for this renewal: no PIN is asked."};
    d.letterPdf = letter.pdf;
    d.letterBoxes = itsOwnKey ? letter.boxesOfItsKey : letter.boxesOfAnotherKey;
    text.details = d;
    return text;
}

HiddenCopyLetter hiddenCopyLetter(bool whiteText) {
    using renewal::testing::PdfLine;
    const std::string newKey = pkcs11::spkiHex(freshSpki());
    const std::string oldKey = pkcs11::spkiHex(freshSpki());
    const auto letter = renewal::testing::letterWithHiddenKeyCopy(
        newKey, oldKey, whiteText ? PdfLine::Look::WhiteText : PdfLine::Look::CoveredByFill);
    const renewal::LetterExpectation expected{newKey, oldKey, {}};
    HiddenCopyLetter out;
    out.text = letterConfirmation(portalLetter());
    auto& d = *out.text.details;
    const auto said = renewal::checkRenewalLetter(letter.pdf, expected);  // the check accepts it
    d.check = prompt::Bilingual{said.es, said.en};
    d.letterPdf = std::make_shared<const std::vector<unsigned char>>(letter.pdf);
    d.letterBoxes = checkedBoxes(letter.pdf, newKey, oldKey);
    out.visiblePage = letter.visiblePage;
    out.visibleTop = letter.visibleTop;
    out.visibleBottom = letter.visibleBottom;
    out.hiddenPage = letter.hiddenPage;
    out.hiddenTop = letter.hiddenTop;
    out.hiddenBottom = letter.hiddenBottom;
    return out;
}

int highlightedPixels(const QImage& image) {
    int count = 0;
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < rgb.height(); ++y) {
        for (int x = 0; x < rgb.width(); ++x) {
            const QColor c = rgb.pixelColor(x, y);
            // Yellow over white: red and green high, blue clearly lower. Text and paper are grey.
            if (c.red() > 230 && c.green() > 200 && c.blue() < 190) ++count;
        }
    }
    return count;
}

}  // namespace firmante::testing
