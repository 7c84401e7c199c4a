#include "firmante/pkcs11/KeyTraits.h"

namespace firmante::pkcs11 {

namespace {

const unsigned char kP256Oid[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
const unsigned char kP384Oid[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};

// clang-format off
const KeyTraits kTable[] = {
    // type            name        CKK      generation                 bits curve     JWS      challenge digest
    {KeyType::Rsa2048, "rsa-2048", CKK_RSA, CKM_RSA_PKCS_KEY_PAIR_GEN, 2048, {},       "RS256", EVP_sha256},
    {KeyType::Rsa3072, "rsa-3072", CKK_RSA, CKM_RSA_PKCS_KEY_PAIR_GEN, 3072, {},       "RS256", EVP_sha256},
    {KeyType::Rsa4096, "rsa-4096", CKK_RSA, CKM_RSA_PKCS_KEY_PAIR_GEN, 4096, {},       "RS256", EVP_sha256},
    {KeyType::EcP256,  "ec-p256",  CKK_EC,  CKM_EC_KEY_PAIR_GEN,       256,  kP256Oid, "ES256", EVP_sha256},
    {KeyType::EcP384,  "ec-p384",  CKK_EC,  CKM_EC_KEY_PAIR_GEN,       384,  kP384Oid, "ES384", EVP_sha384},
};
// clang-format on

}  // namespace

const KeyTraits& traitsOf(KeyType type) noexcept {
    for (const auto& t : kTable)
        if (t.type == type) return t;
    return kTable[0];
}

std::span<const KeyTraits> allKeyTraits() noexcept {
    return kTable;
}

}  // namespace firmante::pkcs11
