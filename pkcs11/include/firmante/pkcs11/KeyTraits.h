#pragma once

// Every fact about the key types Firmante generates, in one place (STYLE: traits, not switches;
// issue 10 §4). Adding a key type is a row in kKeyTraits (and, for a new digest, a row in
// kSignatureMechanisms); the rest of the tree reads these tables. What else a new type touches is
// listed in docs/architecture.md ("Adding a key type").

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <p11-kit/pkcs11.h>

namespace firmante::pkcs11 {

/// The key types, in kKeyTraits order (a static_assert below holds the two equal).
enum class KeyType { Rsa2048, Rsa3072, Rsa4096, EcP256, EcP384 };

/// The type renewal.begin and `firmante renew` generate when none is named (DESIGN §2).
inline constexpr KeyType kDefaultKeyType = KeyType::Rsa2048;

// namedCurve OIDs in DER, as CKA_EC_PARAMS carries them: 1.2.840.10045.3.1.7 and 1.3.132.0.34.
// clang-format off
inline constexpr unsigned char kP256Oid[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
inline constexpr unsigned char kP384Oid[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
// clang-format on

/// Everything the library needs to know about one key type.
struct KeyTraits {
    KeyType type;
    std::string_view name;                 // "rsa-2048", "ec-p256", … (CLI, protocol, page API)
    CK_KEY_TYPE keyType;                   // CKK_RSA or CKK_EC
    int pkeyType;                          // OpenSSL's EVP_PKEY_RSA or EVP_PKEY_EC
    CK_MECHANISM_TYPE generate;            // CKM_RSA_PKCS_KEY_PAIR_GEN or CKM_EC_KEY_PAIR_GEN
    CK_ULONG bits;                         // RSA modulus bits, or the curve's field size
    std::span<const unsigned char> curve;  // DER OID for CKA_EC_PARAMS; empty for RSA
    std::string_view curveName;            // OpenSSL's group name ("P-256"); empty for RSA
    int curveNid;                          // NID_X9_62_prime256v1, …; NID_undef for RSA
    std::string_view jwsAlgorithm;         // challenge signature: RS256, ES256, ES384
    /// The digest of origin-bound challenges (SHA-384 for P-384, else SHA-256). CSRs and CMS use
    /// SHA-256 for every type (DESIGN §2).
    const EVP_MD* (*challengeDigest)();
};

// clang-format off
inline constexpr KeyTraits kKeyTraits[] = {
    // type            name        CKK      OpenSSL       generation                 bits  curve     group    curve NID              JWS      challenge digest
    {KeyType::Rsa2048, "rsa-2048", CKK_RSA, EVP_PKEY_RSA, CKM_RSA_PKCS_KEY_PAIR_GEN, 2048, {},       {},      NID_undef,             "RS256", EVP_sha256},
    {KeyType::Rsa3072, "rsa-3072", CKK_RSA, EVP_PKEY_RSA, CKM_RSA_PKCS_KEY_PAIR_GEN, 3072, {},       {},      NID_undef,             "RS256", EVP_sha256},
    {KeyType::Rsa4096, "rsa-4096", CKK_RSA, EVP_PKEY_RSA, CKM_RSA_PKCS_KEY_PAIR_GEN, 4096, {},       {},      NID_undef,             "RS256", EVP_sha256},
    {KeyType::EcP256,  "ec-p256",  CKK_EC,  EVP_PKEY_EC,  CKM_EC_KEY_PAIR_GEN,       256,  kP256Oid, "P-256", NID_X9_62_prime256v1,  "ES256", EVP_sha256},
    {KeyType::EcP384,  "ec-p384",  CKK_EC,  EVP_PKEY_EC,  CKM_EC_KEY_PAIR_GEN,       384,  kP384Oid, "P-384", NID_secp384r1,         "ES384", EVP_sha384},
};
// clang-format on

constexpr bool keyTraitsInEnumOrder() {
    for (std::size_t i = 0; i < std::size(kKeyTraits); ++i)
        if (kKeyTraits[i].type != static_cast<KeyType>(i)) return false;
    return true;
}
static_assert(keyTraitsInEnumOrder(), "kKeyTraits rows must follow enum KeyType");

/// How a key family signs data hashed with one digest: the token's hash-and-sign mechanism, or
/// the raw one over what we hash (for RSA, behind the DigestInfo prefix of RFC 8017 §9.2 note 1).
struct SignatureMechanisms {
    CK_KEY_TYPE keyType;
    int digestNid;                              // NID_sha256, NID_sha384
    CK_MECHANISM_TYPE hashAndSign;              // CKM_SHA256_RSA_PKCS, CKM_ECDSA_SHA384, …
    CK_MECHANISM_TYPE raw;                      // CKM_RSA_PKCS or CKM_ECDSA
    std::span<const unsigned char> digestInfo;  // RSA: DER DigestInfo before the digest; EC: empty
};

inline constexpr unsigned char kSha256DigestInfo[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                                      0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                                      0x01, 0x05, 0x00, 0x04, 0x20};
inline constexpr unsigned char kSha384DigestInfo[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                                      0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                                      0x02, 0x05, 0x00, 0x04, 0x30};

// clang-format off
inline constexpr SignatureMechanisms kSignatureMechanisms[] = {
    {CKK_RSA, NID_sha256, CKM_SHA256_RSA_PKCS, CKM_RSA_PKCS, kSha256DigestInfo},
    {CKK_RSA, NID_sha384, CKM_SHA384_RSA_PKCS, CKM_RSA_PKCS, kSha384DigestInfo},
    {CKK_EC,  NID_sha256, CKM_ECDSA_SHA256,    CKM_ECDSA,    {}},
    {CKK_EC,  NID_sha384, CKM_ECDSA_SHA384,    CKM_ECDSA,    {}},
};
// clang-format on

/// The traits of one key type.
constexpr const KeyTraits& traitsOf(KeyType type) noexcept {
    return kKeyTraits[static_cast<std::size_t>(type)];
}
/// Every key type Firmante can generate, in the order the CLI lists them.
constexpr std::span<const KeyTraits> allKeyTraits() noexcept {
    return kKeyTraits;
}
/// The row of the table describing `key` exactly (same family and size or curve), nullptr for a
/// key of a type Firmante does not generate (RSA-1024, brainpool, Ed25519…).
const KeyTraits* keyTraitsOf(const EVP_PKEY* key) noexcept;
/// keyTraitsOf(key), else the row of the key's family (RSA or EC) with its size, else the family's
/// first row; nullptr for another algorithm. For facts a key outside the table shares with its
/// family (CKK, the challenge's JWS name and digest).
const KeyTraits* familyTraitsOf(const EVP_PKEY* key) noexcept;
/// The EC row whose CKA_EC_PARAMS is `params`, nullptr for another curve.
const KeyTraits* traitsOfEcParams(std::span<const unsigned char> params) noexcept;
/// The row of kSignatureMechanisms for a key family and digest, nullptr when there is none.
const SignatureMechanisms* signatureMechanismsFor(CK_KEY_TYPE keyType, int digestNid) noexcept;

/// "rsa-2048", "ec-p256", …
std::string_view keyTypeName(KeyType type) noexcept;
/// Parses a key type name. Throws Error(InvalidParams) naming the accepted values.
KeyType parseKeyType(std::string_view name);
/// The names joined for a message: keyTypeNames(", ", " or ") is "rsa-2048, …, ec-p256 or ec-p384";
/// keyTypeNames("|") is "rsa-2048|…|ec-p384".
std::string keyTypeNames(std::string_view separator, std::string_view lastSeparator = {});

}  // namespace firmante::pkcs11
