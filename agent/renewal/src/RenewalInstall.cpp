// renewal.prove_possession and renewal.install_certificate (manual step 9).
#include "firmante/renewal/RenewalManager.h"

#include "Base64.h"
#include "IssuerCheck.h"
#include "RenewalRecord.h"
#include "RenewalStep.h"
#include "RenewalSupport.h"
#include "StepContext.h"
#include "Timestamp.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Challenge.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Uri.h"

namespace firmante::renewal {

json RenewalManager::provePossession(pkcs11::Token& token, Authorizer& authorizer,
                                     const std::string& origin, const std::string& renewalId,
                                     std::span<const unsigned char> nonce) {
    if (nonce.size() < kMinNonce || nonce.size() > kMaxNonce)
        throw Error(Reason::InvalidParams, "nonce debe tener entre 16 y 256 bytes.");
    // Repeating it is harmless (a portal may retry with a fresh nonce) until the certificate is in.
    StepContext ctx = step(token, authorizer, origin, renewalId,
                           {RenewalStep::AcceptanceSigned, RenewalStep::PossessionProved},
                           "demostrar la posesión de la llave nueva");
    ctx.requireSameToken();
    RenewalRecord& rec = ctx.record;

    const ReleaseGuard release =
        ctx.unlock(ctx.describe("Demostrar al portal que la llave nueva está en su token",
                                "Prove to the portal that the new key is on your token",
                                rec.newKey.label, Action::ProvePossession));
    const pkcs11::KeyInfo key =
        ctx.findKey(rec.newKey.uri.value(), "La llave nueva de esta renovación");
    const pkcs11::EvpPkeyPtr privateKey = token.privateKey(key);
    const pkcs11::ChallengeSignature signature =
        pkcs11::signChallenge(privateKey.get(), origin, nonce);

    rec.possessionProved = nowTimestamp();
    if (rec.state == RenewalStep::AcceptanceSigned)
        rec.advance(RenewalStep::PossessionProved);
    else
        rec.touch();
    store(rec);

    return {{"signature", base64Encode(signature.signature)},
            {"algorithm", signature.algorithm},
            {"spki", rec.newKey.spki.value()}};
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

pkcs11::Bytes RenewalManager::oldCertificateDer(const StepContext& step) {
    // Journaled at begin since issue 9; older journals name it only, and it is still on the
    // token until finish retires it.
    const RenewalRecord::OldCertificate& old = step.record.oldCertificate;
    if (old.der) return base64Decode(*old.der);
    return step.findCertificate(old.uri, "El certificado actual").der;
}

json RenewalManager::installCertificate(pkcs11::Token& token, Authorizer& authorizer,
                                        const std::string& origin, const std::string& renewalId,
                                        std::span<const unsigned char> certificate,
                                        const std::vector<pkcs11::Bytes>& chain) {
    if (certificate.empty()) throw Error(Reason::InvalidParams, "Falta el certificado.");
    if (certificate.size() > kMaxCertificateBytes)
        throw Error(Reason::TooLarge, "El certificado excede el tamaño máximo permitido.");
    if (chain.size() > kMaxChain)
        throw Error(Reason::InvalidParams, "La cadena tiene demasiados certificados.");
    StepContext ctx = step(token, authorizer, origin, renewalId,
                           {RenewalStep::PossessionProved, RenewalStep::CertificateInstalled},
                           "instalar el certificado nuevo");
    RenewalRecord& rec = ctx.record;

    const pkcs11::CertificateInfo info = pkcs11::describeCertificate(certificate);
    if (info.spki != base64Decode(rec.newKey.spki.value()))
        throw Error(Reason::CertificateMismatch,
                    "El certificado recibido (" + info.subject +
                        ") no corresponde a la llave nueva generada para esta renovación.");
    const std::string sha256 = pkcs11::toHex(pkcs11::sha256(info.der));
    if (rec.state == RenewalStep::CertificateInstalled &&
        rec.newCertificate.value().sha256 != sha256)
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
    ctx.requireSameToken();

    // Issue 9 §8, before any prompt: the certificate comes from the current one's issuer (or a
    // CA trusted for this origin), not from whoever merely uses its name.
    const pkcs11::X509Ptr fresh = pkcs11::decodeCertificate(certificate);
    const pkcs11::X509Ptr old = pkcs11::decodeCertificate(oldCertificateDer(ctx));
    IssuerEvidence evidence{fresh.get(), old.get(), chain, trustedIssuers(origin)};
    for (const auto& onToken : token.certificates()) evidence.candidates.push_back(onToken.der);
    const Bilingual issuerCheck = requireTrustedIssuer(evidence);

    OperationDescription what = ctx.describe("Guardar el certificado nuevo en su token",
                                             "Store the new certificate on your token",
                                             rec.newKey.label, Action::StoreCertificate);
    const std::string until = formatTimestamp(info.notAfter);
    what.check = Bilingual{"Certificado para " + info.subject + ", emitido por " + info.issuer +
                               " (" + issuerCheck.es + "), vigente hasta " + until + ".",
                           "Certificate for " + info.subject + ", issued by " + info.issuer + " (" +
                               issuerCheck.en + "), valid until " + until + "."};
    const ReleaseGuard release = ctx.unlock(std::move(what));
    (void)ctx.findKey(rec.newKey.uri.value(), "La llave nueva de esta renovación");
    // Storing the same certificate again returns the one already there (a retried install).
    const pkcs11::CertificateInfo stored = token.storeCertificate(certificate, rec.newKey.label);

    rec.newCertificate = {.uri = stored.uri.str(),
                          .subject = info.subject,
                          .serial = info.serialHex,
                          .notAfter = formatTimestamp(info.notAfter),
                          .sha256 = sha256,
                          .issuer = info.issuer};
    if (rec.state == RenewalStep::PossessionProved)
        rec.advance(RenewalStep::CertificateInstalled);
    else
        rec.touch();
    store(rec);
    RENEWAL_LOG_INFO("renewal {}: new certificate installed", renewalId);
    return {{"uri", stored.uri.str()},
            {"subject", info.subject},
            {"serial", info.serialHex},
            {"notAfter", formatTimestamp(info.notAfter)}};
}

}  // namespace firmante::renewal
