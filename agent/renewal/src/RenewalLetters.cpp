// renewal.sign_letter: the acceptance and terms letters (DESIGN §3 rule 4).
#include "firmante/renewal/RenewalManager.h"

#include "Base64.h"
#include "RenewalRecord.h"
#include "RenewalStep.h"
#include "RenewalSupport.h"
#include "StepContext.h"
#include "Timestamp.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Cms.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/renewal/LetterCheck.h"

namespace firmante::renewal {

json RenewalManager::signLetter(pkcs11::Token& token, Authorizer& authorizer,
                                const std::string& origin, const std::string& renewalId,
                                const std::string& stage, std::span<const unsigned char> document,
                                const std::string& fileName) {
    if (stage != "acceptance" && stage != "terms")
        throw Error(Reason::InvalidParams, "stage debe ser \"acceptance\" o \"terms\".");
    if (document.size() > kMaxDocumentBytes)
        throw Error(Reason::TooLarge, "La carta excede el tamaño máximo permitido.");
    checkFileName(fileName);
    const bool acceptance = stage == "acceptance";

    StepContext ctx = step(token, authorizer, origin, renewalId,
                           {acceptance ? RenewalStep::Begun : RenewalStep::CertificateInstalled},
                           acceptance ? "firmar la Carta de Aceptación de Renovación"
                                      : "firmar la Carta de Términos y Condiciones");
    ctx.requireSameToken();
    RenewalRecord& rec = ctx.record;
    const RenewalRecord::NewKey& newKey = rec.newKey;
    const RenewalRecord::OldCertificate& old = rec.oldCertificate;

    // Rule 4, before anything is shown or signed: the letter, as a viewer draws it, must state
    // the key this renewal generated (and, for the terms letter, the acceptance letter signed
    // before). Throws LetterMismatch.
    // Both letters may show the old key (the portal's terms letter does).
    LetterExpectation expected{newKey.spkiHex.value(), old.spkiHex.value_or(""), {}};
    if (!acceptance) expected.previousSha1 = rec.letters.value().acceptance.value().sha1.value();
    std::vector<LetterBox> found;  // where the check found the key (and hash): the dialog boxes it
    Bilingual check = checkRenewalLetter(document, expected, &found);

    const std::string certUri = acceptance ? old.uri : rec.newCertificate.value().uri.value();
    const pkcs11::CertificateInfo cert =
        ctx.findCertificate(certUri, acceptance ? "El certificado actual" : "El certificado nuevo");
    const std::string keyUri = acceptance ? old.keyUri.value() : newKey.uri.value();
    const std::string keyLabel = acceptance ? old.keyLabel.value_or(cert.label) : newKey.label;

    const Bytes documentSha256 = pkcs11::sha256(document);
    OperationDescription what =
        acceptance
            ? ctx.describe("Firmar la Carta de Aceptación de Renovación",
                           "Sign the Renewal Acceptance Letter", keyLabel, Action::SignLetter)
            : ctx.describe("Firmar la Carta de Términos y Condiciones",
                           "Sign the Terms and Conditions Letter", keyLabel, Action::SignLetter);
    what.fileName = fileName;
    what.documentSha256Hex = pkcs11::toHex(documentSha256);
    what.check = std::move(check);
    // Issue 9 §2: a fingerprint the portal's page shows too, unlike the key's DER header.
    what.keyFingerprint = spkiFingerprint(base64Decode(newKey.spki.value()));
    what.newKeyProvenanceUnconfirmed =
        !provenanceConfirmedIn(newKey.attributes.value_or(json::object()));
    // Shown rendered in the letter dialog; one copy per request, shared by every prompt of it.
    what.letter = std::make_shared<const pkcs11::Bytes>(document.begin(), document.end());
    what.letterBoxes = std::move(found);
    const ReleaseGuard release = ctx.unlock(std::move(what));

    const pkcs11::KeyInfo key =
        ctx.findKey(keyUri, acceptance ? "La llave del certificado actual"
                                       : "La llave nueva de esta renovación");
    if (acceptance) {
        // Accepting a renewal whose new key is gone would have the portal certify a key nobody
        // holds: stop here instead.
        (void)ctx.findKey(newKey.uri.value(), "La llave nueva de esta renovación");
    }
    const pkcs11::EvpPkeyPtr privateKey = token.privateKey(key);
    const pkcs11::X509Ptr x509 = pkcs11::decodeCertificate(cert.der);
    const pkcs11::CmsSignature cms = pkcs11::signDetached(privateKey.get(), x509.get(), document);

    if (!rec.letters) rec.letters.emplace();
    (acceptance ? rec.letters->acceptance : rec.letters->terms) =
        RenewalRecord::Letter{.fileName = fileName,
                              .sha1 = upper(pkcs11::toHex(pkcs11::sha1(document))),
                              .sha256 = pkcs11::toHex(documentSha256),
                              .cmsSha256 = pkcs11::toHex(pkcs11::sha256(cms.der)),
                              .signer = cms.signerSubject,
                              .signedAt = nowTimestamp()};
    rec.advance(acceptance ? RenewalStep::AcceptanceSigned : RenewalStep::TermsSigned);
    store(rec);
    RENEWAL_LOG_INFO("renewal {}: {} letter signed", renewalId, stage);

    return {{"cms", base64Encode(cms.der)},
            {"documentSha256", pkcs11::toHex(documentSha256)},
            {"signer", cms.signerSubject}};
}

}  // namespace firmante::renewal
