#pragma once

#include <span>
#include <string>
#include <string_view>

#include "firmante/pkcs11/OpenSsl.h"
#include "firmante/pkcs11/Types.h"

namespace firmante::pkcs11 {

/// Decodes a certificate given as DER or PEM. Throws Error(InvalidParams).
X509Ptr decodeCertificate(std::span<const unsigned char> derOrPem);
Bytes certificateDer(const X509* cert);
/// Subject, issuer, serial, validity, expired, SPKI and its SHA-256 (id, label, uri left empty).
CertificateInfo describeCertificate(const X509* cert);
CertificateInfo describeCertificate(std::span<const unsigned char> derOrPem);

/// The DER SubjectPublicKeyInfo of a key.
Bytes publicKeySpki(const EVP_PKEY* key);
/// The key of a DER SubjectPublicKeyInfo. Throws Error(InvalidParams).
EvpPkeyPtr publicKeyFromSpki(std::span<const unsigned char> spki);

/// The letter's key format: the SPKI's subjectPublicKey BIT STRING element (tag, length, unused
/// bits byte and content) as lower-case hex pairs separated by single spaces.
std::string spkiHex(std::span<const unsigned char> spki);

/// Lower-case hex without separators.
std::string toHex(std::span<const unsigned char> bytes);
Bytes sha256(std::span<const unsigned char> bytes);
Bytes sha1(std::span<const unsigned char> bytes);

}  // namespace firmante::pkcs11
