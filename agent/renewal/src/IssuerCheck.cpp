#include "IssuerCheck.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Error.h"

namespace firmante::renewal {

using pkcs11::Error;
using pkcs11::Reason;

namespace {

/// The authority key identifier's keyIdentifier, empty when the extension or the field is absent.
pkcs11::Bytes authorityKeyId(X509* cert) {
    const ASN1_OCTET_STRING* id = X509_get0_authority_key_id(cert);
    if (id == nullptr) return {};
    const unsigned char* data = ASN1_STRING_get0_data(id);
    return pkcs11::Bytes(data, data + ASN1_STRING_length(id));
}

/// Whether `issuer` names `cert`'s issuer and its key verifies `cert`'s signature.
bool signedBy(X509* cert, X509* issuer) {
    if (X509_NAME_cmp(X509_get_subject_name(issuer), X509_get_issuer_name(cert)) != 0) return false;
    EVP_PKEY* key = X509_get0_pubkey(issuer);
    const bool ok = key != nullptr && X509_verify(cert, key) == 1;
    ERR_clear_error();  // a failed verification is an answer here, not an error to report
    return ok;
}

[[noreturn]] void untrusted(const std::string& why) {
    throw Error(Reason::CertificateUntrusted,
                "El certificado recibido no proviene de la autoridad que emitió su certificado "
                "actual (" +
                    why + "). No se guardó nada en su token.");
}

std::string issuerName(X509* cert) {
    return pkcs11::describeCertificate(cert).issuer;
}

}  // namespace

Bilingual requireTrustedIssuer(const IssuerEvidence& e) {
    for (const auto& der : e.trusted) {
        const pkcs11::X509Ptr ca = pkcs11::decodeCertificate(der);
        if (signedBy(e.fresh, ca.get()))
            return {"emitido por una autoridad de confianza para este sitio",
                    "issued by an authority trusted for this site"};
    }

    if (X509_NAME_cmp(X509_get_issuer_name(e.fresh), X509_get_issuer_name(e.old)) != 0)
        untrusted("lo emite «" + issuerName(e.fresh) + "», no «" + issuerName(e.old) + "»");

    // A name is only a claim: anyone can make a CA called "Autoridad Certificadora IDSE". The
    // authority key identifier names the issuer's key.
    const pkcs11::Bytes oldKeyId = authorityKeyId(e.old);
    const pkcs11::Bytes freshKeyId = authorityKeyId(e.fresh);
    if (!oldKeyId.empty() && freshKeyId != oldKeyId)
        untrusted("el identificador de la llave de la autoridad no coincide");

    // The issuer certificate, when one is on offer, counts only if it signed the current
    // certificate too: a hostile chain could carry its own CA under the same name and identifier.
    for (const auto& der : e.candidates) {
        pkcs11::X509Ptr candidate;
        try {
            candidate = pkcs11::decodeCertificate(der);
        } catch (const Error&) {
            continue;
        }
        if (!signedBy(e.old, candidate.get())) continue;
        if (!signedBy(e.fresh, candidate.get())) untrusted("la firma de la autoridad no es válida");
        return {"firma de la autoridad verificada", "the authority's signature verified"};
    }
    if (oldKeyId.empty())
        untrusted(
            "su certificado actual no identifica la llave de su autoridad; envíe la cadena "
            "de certificados de la autoridad");
    return {"misma autoridad e identificador de llave que su certificado actual",
            "same authority and key identifier as your current certificate"};
}

}  // namespace firmante::renewal
