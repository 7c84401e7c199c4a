#pragma once

#include <string>
#include <vector>

#include <openssl/x509.h>

#include "firmante/pkcs11/Types.h"
#include "firmante/renewal/Bilingual.h"

namespace firmante::renewal {

/// Issue 9 §8: the certificate a portal hands back for the new key must come from whoever issued
/// the current one, or from a CA the configuration trusts for that portal's origin.
struct IssuerEvidence {
    X509* fresh = nullptr;                  // the certificate to install
    X509* old = nullptr;                    // the renewal's current certificate
    std::vector<pkcs11::Bytes> candidates;  // issuer certificates on offer: the request's chain
                                            // and the certificates on the token
    std::vector<pkcs11::Bytes> trusted;     // CAs the configuration trusts for the origin
};

/// Accepts `fresh` when a trusted CA is its issuer and its signature verifies with that CA's key;
/// otherwise only when it names the old certificate's issuer, carries the same authority key
/// identifier, and — when an issuer certificate that signed the old certificate is among the
/// candidates — its signature verifies with that key. When the old certificate has no authority
/// key identifier, that verified signature is required. Returns how it was established, for the
/// prompt in both languages; throws pkcs11::Error(CertificateUntrusted) with the reason in es-MX
/// otherwise.
Bilingual requireTrustedIssuer(const IssuerEvidence& evidence);

}  // namespace firmante::renewal
