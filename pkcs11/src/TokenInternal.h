#pragma once

// What the parts of Token (Token.cpp: read; TokenKeygen.cpp; TokenImport.cpp; TokenDelete.cpp)
// share: attribute builders and the key material conversions of TokenKeyMaterial.cpp. Private to
// the token library.

#include <memory>
#include <string>
#include <vector>

#include <openssl/bn.h>
#include <p11-kit/pkcs11.h>

#include "firmante/pkcs11/OpenSsl.h"
#include "firmante/pkcs11/OpenSslBridge.h"
#include "firmante/pkcs11/Secret.h"
#include "firmante/pkcs11/Types.h"

namespace firmante::pkcs11::internal {

using SecureBytes = std::vector<unsigned char, ZeroizingAllocator<unsigned char>>;

inline CK_BBOOL kTrue = CK_TRUE;
inline CK_BBOOL kFalse = CK_FALSE;

template <typename T>
CK_ATTRIBUTE attr(CK_ATTRIBUTE_TYPE type, T* value) {
    return {type, value, sizeof(T)};
}

inline CK_ATTRIBUTE attrBytes(CK_ATTRIBUTE_TYPE type, const void* data, std::size_t n) {
    return {type, const_cast<void*>(data), static_cast<CK_ULONG>(n)};
}

using BnPtr = OpenSslPtr<BIGNUM, BN_clear_free>;

/// CKA_EC_POINT is a DER OCTET STRING around the point on most tokens (SoftHSM, OpenSC); the
/// bare point is accepted too, as some tokens give it.
Bytes unwrapEcPoint(const Bytes& value);
Bytes wrapOctetString(const Bytes& point);
EvpPkeyPtr rsaPublicKey(const Bytes& modulus, const Bytes& exponent);
EvpPkeyPtr ecPublicKey(const Bytes& params, const Bytes& point);
/// The key type's name ("rsa-2048", "ec-p384"), or "rsa-<bits>"/"ec-<bits>" for a key of a type
/// Firmante does not generate.
std::string algorithmName(const EVP_PKEY* key);
Bytes bnBytes(const BIGNUM* bn);
SecureBytes secureBnBytes(const BIGNUM* bn, std::size_t pad = 0);
/// Return values by which modules reject a template they could satisfy without its optional
/// parts.
bool isTemplateRejection(CK_RV rv);

}  // namespace firmante::pkcs11::internal
