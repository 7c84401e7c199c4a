// renewal.prove_possession and renewal.install_certificate (manual step 9).
#include "firmante/renewal/RenewalManager.h"

#include "Base64.h"
#include "IssuerCheck.h"
#include "RenewalJournal.h"
#include "RenewalStep.h"
#include "RenewalSupport.h"
#include "Timestamp.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Challenge.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Uri.h"

namespace firmante::renewal {

json RenewalManager::provePossession(pkcs11::Token& token, Authorizer& authorizer,
                                     const std::string& origin, const std::string& renewalId,
                                     std::span<const unsigned char> nonce) {
    checkOrigin(origin);
    if (nonce.size() < kMinNonce || nonce.size() > kMaxNonce)
        throw Error(Reason::InvalidParams, "nonce debe tener entre 16 y 256 bytes.");
    // Repeating it is harmless (a portal may retry with a fresh nonce) until the certificate is in.
    json rec = stepRecord(origin, renewalId,
                          {RenewalStep::AcceptanceSigned, RenewalStep::PossessionProved},
                          "demostrar la posesión de la llave nueva");
    requireSameToken(token, rec);

    const json& newKey = rec.at("newKey");
    OperationDescription what =
        describe(origin, "Demostrar al portal que la llave nueva está en su token",
                 "Prove to the portal that the new key is on your token", tokenLabelOf(rec),
                 newKey.at("label").get<std::string>());
    what.renewalId = renewalId;
    what.action = Action::ProvePossession;
    authorizer.unlock(token, what);
    ReleaseGuard release(authorizer, token);
    const pkcs11::KeyInfo key = findKey(token, rec, newKey.at("uri").get<std::string>(),
                                        "La llave nueva de esta renovación");
    const pkcs11::EvpPkeyPtr privateKey = token.privateKey(key);
    const pkcs11::ChallengeSignature signature =
        pkcs11::signChallenge(privateKey.get(), origin, nonce);

    rec["possessionProved"] = nowTimestamp();
    if (stateOf(rec) == RenewalStep::AcceptanceSigned)
        advance(rec, RenewalStep::PossessionProved);
    else
        rec["updated"] = nowTimestamp();
    store(rec);

    return {{"signature", base64Encode(signature.signature)},
            {"algorithm", signature.algorithm},
            {"spki", newKey.at("spki")}};
}

void RenewalManager::trustIssuers(const std::string& origin,
                                  std::vector<pkcs11::Bytes> caCertificates) {
    for (const auto& der : caCertificates) (void)pkcs11::decodeCertificate(der);
    std::lock_guard lock(mutex_);
    trusted_[origin] = std::move(caCertificates);
}

std::vector<pkcs11::Bytes> RenewalManager::trustedIssuers(const std::string& origin) const {
    std::lock_guard lock(mutex_);
    const auto it = trusted_.find(origin);
    return it == trusted_.end() ? std::vector<pkcs11::Bytes>{} : it->second;
}

pkcs11::Bytes RenewalManager::oldCertificateDer(pkcs11::Token& token, const json& rec) {
    // Journaled at begin since issue 9; older journals name it only, and it is still on the
    // token until finish retires it.
    if (const auto der = rec.at("oldCertificate").find("der");
        der != rec.at("oldCertificate").end() && der->is_string())
        return base64Decode(der->get<std::string>());
    return findCertificate(token, rec, rec.at("oldCertificate").at("uri").get<std::string>(),
                           "El certificado actual")
        .der;
}

json RenewalManager::installCertificate(pkcs11::Token& token, Authorizer& authorizer,
                                        const std::string& origin, const std::string& renewalId,
                                        std::span<const unsigned char> certificate,
                                        const std::vector<pkcs11::Bytes>& chain) {
    checkOrigin(origin);
    if (certificate.empty()) throw Error(Reason::InvalidParams, "Falta el certificado.");
    if (certificate.size() > kMaxCertificateBytes)
        throw Error(Reason::TooLarge, "El certificado excede el tamaño máximo permitido.");
    if (chain.size() > kMaxChain)
        throw Error(Reason::InvalidParams, "La cadena tiene demasiados certificados.");
    json rec = stepRecord(origin, renewalId,
                          {RenewalStep::PossessionProved, RenewalStep::CertificateInstalled},
                          "instalar el certificado nuevo");

    const pkcs11::CertificateInfo info = pkcs11::describeCertificate(certificate);
    const Bytes expected = base64Decode(rec.at("newKey").at("spki").get<std::string>());
    if (info.spki != expected)
        throw Error(Reason::CertificateMismatch,
                    "El certificado recibido (" + info.subject +
                        ") no corresponde a la llave nueva generada para esta renovación.");
    const std::string sha256 = pkcs11::toHex(pkcs11::sha256(info.der));
    if (stateOf(rec) == RenewalStep::CertificateInstalled &&
        rec.at("newCertificate").value("sha256", std::string{}) != sha256)
        throw Error(Reason::RenewalState,
                    "Esta renovación ya instaló otro certificado. Se espera: " +
                        std::string(expectedNext(RenewalStep::CertificateInstalled)) + ".");
    for (const auto& c : chain) {
        try {
            (void)pkcs11::decodeCertificate(c);
        } catch (const Error&) {
            throw Error(Reason::InvalidParams, "La cadena contiene un certificado ilegible.");
        }
    }
    requireSameToken(token, rec);

    // Issue 9 §8, before any prompt: the certificate comes from the current one's issuer (or a
    // CA trusted for this origin), not from whoever merely uses its name.
    const pkcs11::X509Ptr fresh = pkcs11::decodeCertificate(certificate);
    const pkcs11::X509Ptr old = pkcs11::decodeCertificate(oldCertificateDer(token, rec));
    IssuerEvidence evidence{fresh.get(), old.get(), chain, trustedIssuers(origin)};
    for (const auto& onToken : token.certificates()) evidence.candidates.push_back(onToken.der);
    const std::string issuerCheck = requireTrustedIssuer(evidence);

    const json& newKey = rec.at("newKey");
    OperationDescription what = describe(origin, "Guardar el certificado nuevo en su token",
                                         "Store the new certificate on your token",
                                         tokenLabelOf(rec), newKey.at("label").get<std::string>());
    what.check = "Certificado para " + info.subject + ", emitido por " + info.issuer + " (" +
                 issuerCheck + "), vigente hasta " + formatTimestamp(info.notAfter) + ".";
    what.renewalId = renewalId;
    what.action = Action::StoreCertificate;
    authorizer.unlock(token, what);
    ReleaseGuard release(authorizer, token);
    (void)findKey(token, rec, newKey.at("uri").get<std::string>(),
                  "La llave nueva de esta renovación");
    // Storing the same certificate again returns the one already there (a retried install).
    const pkcs11::CertificateInfo stored =
        token.storeCertificate(certificate, newKey.at("label").get<std::string>());

    json result = {{"uri", stored.uri.str()},
                   {"subject", info.subject},
                   {"serial", info.serialHex},
                   {"notAfter", formatTimestamp(info.notAfter)}};
    rec["newCertificate"] = result;
    rec["newCertificate"]["sha256"] = sha256;
    rec["newCertificate"]["issuer"] = info.issuer;
    if (stateOf(rec) == RenewalStep::PossessionProved)
        advance(rec, RenewalStep::CertificateInstalled);
    else
        rec["updated"] = nowTimestamp();
    store(rec);
    RENEWAL_LOG_INFO("renewal {}: new certificate installed", renewalId);
    return result;
}

}  // namespace firmante::renewal
