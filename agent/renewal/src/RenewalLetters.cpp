// renewal.sign_letter: the acceptance and terms letters (DESIGN §3 rule 4).
#include "firmante/renewal/RenewalManager.h"

#include "Base64.h"
#include "RenewalJournal.h"
#include "RenewalStep.h"
#include "RenewalSupport.h"
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
    checkOrigin(origin);
    if (stage != "acceptance" && stage != "terms")
        throw Error(Reason::InvalidParams, "stage debe ser \"acceptance\" o \"terms\".");
    if (document.size() > kMaxDocumentBytes)
        throw Error(Reason::TooLarge, "La carta excede el tamaño máximo permitido.");
    checkFileName(fileName);
    const bool acceptance = stage == "acceptance";

    json rec = stepRecord(origin, renewalId,
                          {acceptance ? RenewalStep::Begun : RenewalStep::CertificateInstalled},
                          acceptance ? "firmar la Carta de Aceptación de Renovación"
                                     : "firmar la Carta de Términos y Condiciones");
    requireSameToken(token, rec);

    // Rule 4, before anything is shown or signed: the letter, as a viewer draws it, must state
    // the key this renewal generated (and, for the terms letter, the acceptance letter signed
    // before). Throws LetterMismatch.
    // Both letters may show the old key (the portal's terms letter does).
    LetterExpectation expected{rec.at("newKey").at("spkiHex").get<std::string>(),
                               rec.at("oldCertificate").value("spkiHex", std::string{}),
                               {}};
    if (!acceptance)
        expected.previousSha1 = rec.at("letters").at("acceptance").at("sha1").get<std::string>();
    const std::string check = checkRenewalLetter(document, expected);

    const std::string certUri = acceptance ? rec.at("oldCertificate").at("uri").get<std::string>()
                                           : rec.at("newCertificate").at("uri").get<std::string>();
    const pkcs11::CertificateInfo cert = findCertificate(
        token, rec, certUri, acceptance ? "El certificado actual" : "El certificado nuevo");
    const std::string keyUri = acceptance ? rec.at("oldCertificate").at("keyUri").get<std::string>()
                                          : rec.at("newKey").at("uri").get<std::string>();
    const std::string keyLabel = acceptance ? rec.at("oldCertificate").value("keyLabel", cert.label)
                                            : rec.at("newKey").at("label").get<std::string>();

    const Bytes documentSha256 = pkcs11::sha256(document);
    OperationDescription what =
        acceptance ? describe(origin, "Firmar la Carta de Aceptación de Renovación",
                              "Sign the Renewal Acceptance Letter", tokenLabelOf(rec), keyLabel)
                   : describe(origin, "Firmar la Carta de Términos y Condiciones",
                              "Sign the Terms and Conditions Letter", tokenLabelOf(rec), keyLabel);
    what.fileName = fileName;
    what.documentSha256Hex = pkcs11::toHex(documentSha256);
    what.check = check;
    // Issue 9 §2: a fingerprint the portal's page shows too, unlike the key's DER header.
    what.keyFingerprint =
        spkiFingerprint(base64Decode(rec.at("newKey").at("spki").get<std::string>()));
    what.newKeyProvenanceUnconfirmed =
        !provenanceConfirmedIn(rec.at("newKey").value("attributes", json::object()));
    what.renewalId = renewalId;
    what.action = Action::SignLetter;
    // Shown rendered in the letter dialog; one copy per request, shared by every prompt of it.
    what.letter = std::make_shared<const pkcs11::Bytes>(document.begin(), document.end());
    what.letterMarks = letterMarks(expected);
    authorizer.unlock(token, what);
    ReleaseGuard release(authorizer, token);

    const pkcs11::KeyInfo key = findKey(
        token, rec, keyUri,
        acceptance ? "La llave del certificado actual" : "La llave nueva de esta renovación");
    if (acceptance) {
        // Accepting a renewal whose new key is gone would have the portal certify a key nobody
        // holds: stop here instead.
        (void)findKey(token, rec, rec.at("newKey").at("uri").get<std::string>(),
                      "La llave nueva de esta renovación");
    }
    const pkcs11::EvpPkeyPtr privateKey = token.privateKey(key);
    const pkcs11::X509Ptr x509 = pkcs11::decodeCertificate(cert.der);
    const pkcs11::CmsSignature cms = pkcs11::signDetached(privateKey.get(), x509.get(), document);

    rec["letters"][stage] = {{"fileName", fileName},
                             {"sha1", upper(pkcs11::toHex(pkcs11::sha1(document)))},
                             {"sha256", pkcs11::toHex(documentSha256)},
                             {"cmsSha256", pkcs11::toHex(pkcs11::sha256(cms.der))},
                             {"signer", cms.signerSubject},
                             {"signedAt", nowTimestamp()}};
    advance(rec, acceptance ? RenewalStep::AcceptanceSigned : RenewalStep::TermsSigned);
    store(rec);
    RENEWAL_LOG_INFO("renewal {}: {} letter signed", renewalId, stage);

    return {{"cms", base64Encode(cms.der)},
            {"documentSha256", pkcs11::toHex(documentSha256)},
            {"signer", cms.signerSubject}};
}

}  // namespace firmante::renewal
