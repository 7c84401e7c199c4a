#include "firmante/pkcs11/KeyTraits.h"

#include <algorithm>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/objects.h>

#include "firmante/pkcs11/Error.h"

namespace firmante::pkcs11 {

namespace {

// The NID of an EC key's named curve (OpenSSL 3 names it "prime256v1", a provider may say
// "P-256"), NID_undef when it has none.
int curveNidOf(const EVP_PKEY* key) {
    char group[80] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &len) != 1)
        return NID_undef;
    int nid = OBJ_sn2nid(group);
    return nid != NID_undef ? nid : EC_curve_nist2nid(group);
}

}  // namespace

const KeyTraits* keyTraitsOf(const EVP_PKEY* key) noexcept {
    if (key == nullptr) return nullptr;
    const int family = EVP_PKEY_get_base_id(key);
    const int curveNid = family == EVP_PKEY_EC ? curveNidOf(key) : NID_undef;
    const auto bits = static_cast<CK_ULONG>(EVP_PKEY_get_bits(key));
    for (const auto& t : kKeyTraits) {
        if (t.pkeyType != family) continue;
        if (t.curve.empty() ? t.bits == bits : t.curveNid == curveNid) return &t;
    }
    return nullptr;
}

const KeyTraits* familyTraitsOf(const EVP_PKEY* key) noexcept {
    if (const KeyTraits* exact = keyTraitsOf(key)) return exact;
    if (key == nullptr) return nullptr;
    const int family = EVP_PKEY_get_base_id(key);
    const auto bits = static_cast<CK_ULONG>(EVP_PKEY_get_bits(key));
    const KeyTraits* first = nullptr;
    for (const auto& t : kKeyTraits) {
        if (t.pkeyType != family) continue;
        if (t.bits == bits) return &t;  // e.g. brainpoolP384r1 signs challenges as P-384 does
        if (first == nullptr) first = &t;
    }
    return first;
}

const KeyTraits* traitsOfEcParams(std::span<const unsigned char> params) noexcept {
    for (const auto& t : kKeyTraits)
        if (!t.curve.empty() && std::ranges::equal(t.curve, params)) return &t;
    return nullptr;
}

const SignatureMechanisms* signatureMechanismsFor(CK_KEY_TYPE keyType, int digestNid) noexcept {
    for (const auto& m : kSignatureMechanisms)
        if (m.keyType == keyType && m.digestNid == digestNid) return &m;
    return nullptr;
}

std::string_view keyTypeName(KeyType type) noexcept {
    return traitsOf(type).name;
}

KeyType parseKeyType(std::string_view name) {
    for (const auto& t : kKeyTraits)
        if (t.name == name) return t.type;
    throw Error(Reason::InvalidParams, "unknown key type \"" + std::string(name) + "\" (use " +
                                           keyTypeNames(", ", " or ") + ")");
}

std::string keyTypeNames(std::string_view separator, std::string_view lastSeparator) {
    if (lastSeparator.empty()) lastSeparator = separator;
    std::string out;
    const std::size_t n = std::size(kKeyTraits);
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) out += i + 1 == n ? lastSeparator : separator;
        out += kKeyTraits[i].name;
    }
    return out;
}

}  // namespace firmante::pkcs11
