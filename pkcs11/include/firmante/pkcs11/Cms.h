#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "firmante/pkcs11/OpenSsl.h"
#include "firmante/pkcs11/Types.h"

namespace firmante::pkcs11 {

struct CmsSignature {
    Bytes der;  // detached SignedData
    Bytes documentSha256;
    std::string signerSubject;
};

/// A detached CMS SignedData over `document`, SHA-256, signer certificate included (and `chain`),
/// CAdES-BES signed attributes: content type, message digest, signing time, signing-certificate-v2.
/// `key` is the token key (see Token::privateKey); throws Error(CertificateMismatch) when the
/// certificate does not carry `key`'s public key.
CmsSignature signDetached(EVP_PKEY* key, const X509* certificate,
                          std::span<const unsigned char> document,
                          const std::vector<X509*>& chain = {});

struct CmsVerification {
    Bytes signerCertificate;  // DER
    std::string signerSubject;
    std::string signerSerialHex;
    std::optional<std::chrono::system_clock::time_point> signingTime;
    bool signingCertificateV2 = false;  // present and matching the signer certificate
    bool chainVerified = false;         // true when a CA file was given and the chain verified
};

/// Verifies a detached CMS signature (DER or PEM) over `document`. With `caFile` the signer
/// chain must verify to it (time checks off when `ignoreExpiry`: a renewal's first letter is signed
/// with an expired certificate); without, only the signature itself is checked.
/// Throws Error(SignatureInvalid) with OpenSSL's reason.
CmsVerification verifyDetached(std::span<const unsigned char> document,
                               std::span<const unsigned char> signature,
                               const std::optional<std::string>& caFile = std::nullopt,
                               bool ignoreExpiry = false);

}  // namespace firmante::pkcs11
