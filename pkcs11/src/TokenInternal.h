#pragma once

// What the parts of Token (Token.cpp: read; TokenKeygen.cpp; TokenImport.cpp; TokenDelete.cpp)
// share: attribute builders and the key material conversions of TokenKeyMaterial.cpp. Private to
// the token library.

#include <memory>
#include <string>
#include <vector>

#include <openssl/bn.h>
#include <p11-kit/pkcs11.h>

#include "firmante/pkcs11/OpenSslBridge.h"
#include "firmante/pkcs11/Secret.h"
#include "firmante/pkcs11/Types.h"

namespace firmante::pkcs11::internal {

using SecureBytes = std::vector<unsigned char, ZeroizingAllocator<unsigned char>>;

inline CK_BBOOL kTrue = CK_TRUE;
inline CK_BBOOL kFalse = CK_FALSE;

// DER OIDs for CKA_EC_PARAMS.
inline const Bytes kP256Oid = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
inline const Bytes kP384Oid = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};

template <typename T>
CK_ATTRIBUTE attr(CK_ATTRIBUTE_TYPE type, T* value) {
    return {type, value, sizeof(T)};
}

inline CK_ATTRIBUTE attrBytes(CK_ATTRIBUTE_TYPE type, const void* data, std::size_t n) {
    return {type, const_cast<void*>(data), static_cast<CK_ULONG>(n)};
}

struct BnFree {
    void operator()(BIGNUM* p) const noexcept { BN_clear_free(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

/// CKA_EC_POINT is a DER OCTET STRING around the point on most tokens (SoftHSM, OpenSC); the
/// bare point is accepted too, as some tokens give it.
Bytes unwrapEcPoint(const Bytes& value);
Bytes wrapOctetString(const Bytes& point);
/// "P-256"/"P-384" for CKA_EC_PARAMS, nullptr for another curve.
const char* curveName(const Bytes& params);
EvpPkeyPtr rsaPublicKey(const Bytes& modulus, const Bytes& exponent);
EvpPkeyPtr ecPublicKey(const Bytes& params, const Bytes& point);
std::string algorithmName(const EVP_PKEY* key);
Bytes bnBytes(const BIGNUM* bn);
SecureBytes secureBnBytes(const BIGNUM* bn, std::size_t pad = 0);
/// Return values by which modules reject a template they could satisfy without its optional
/// parts.
bool isTemplateRejection(CK_RV rv);

}  // namespace firmante::pkcs11::internal
