#pragma once

#include <span>
#include <string_view>

#include <openssl/evp.h>
#include <p11-kit/pkcs11.h>

#include "firmante/pkcs11/Types.h"

namespace firmante::pkcs11 {

/// Everything the library needs to know about one key type, in one place (STYLE: traits, not
/// switches). The table is in KeyTraits.cpp.
struct KeyTraits {
    KeyType type;
    std::string_view name;                 // "rsa-2048", "ec-p256", …
    CK_KEY_TYPE keyType;                   // CKK_RSA or CKK_EC
    CK_MECHANISM_TYPE generate;            // CKM_RSA_PKCS_KEY_PAIR_GEN or CKM_EC_KEY_PAIR_GEN
    CK_ULONG bits;                         // RSA modulus bits, or the curve's field size
    std::span<const unsigned char> curve;  // DER OID for CKA_EC_PARAMS; empty for RSA
    std::string_view jwsAlgorithm;         // challenge signature: RS256, ES256, ES384
    /// The digest of origin-bound challenges (SHA-384 for P-384, else SHA-256). CSRs and CMS use
    /// SHA-256 for every type (DESIGN §2).
    const EVP_MD* (*challengeDigest)();
};

/// The traits of one key type.
const KeyTraits& traitsOf(KeyType type) noexcept;
/// Every key type Firmante can generate, in the order the CLI lists them.
std::span<const KeyTraits> allKeyTraits() noexcept;

}  // namespace firmante::pkcs11
