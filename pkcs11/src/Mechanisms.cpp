#include "firmante/pkcs11/Mechanisms.h"

#include <cstdio>

#include <openssl/obj_mac.h>

#include "firmante/pkcs11/Call.h"
#include "firmante/pkcs11/KeyTraits.h"
#include "firmante/pkcs11/Module.h"

namespace firmante::pkcs11 {

namespace {

struct Named {
    CK_MECHANISM_TYPE mechanism;
    const char* name;
};

// Names for the mechanisms Firmante can use (for `tokens --json` and errors). What is asked of
// C_GetMechanismInfo comes from the key-type tables (isRelevant), so a new row needs no entry here
// to work, only to be shown by name.
const Named kRelevant[] = {
    {CKM_RSA_PKCS_KEY_PAIR_GEN, "CKM_RSA_PKCS_KEY_PAIR_GEN"},
    {CKM_EC_KEY_PAIR_GEN, "CKM_EC_KEY_PAIR_GEN"},
    {CKM_RSA_PKCS, "CKM_RSA_PKCS"},
    {CKM_SHA256_RSA_PKCS, "CKM_SHA256_RSA_PKCS"},
    {CKM_SHA384_RSA_PKCS, "CKM_SHA384_RSA_PKCS"},
    {CKM_ECDSA, "CKM_ECDSA"},
    {CKM_ECDSA_SHA1, "CKM_ECDSA_SHA1"},
    {CKM_ECDSA_SHA256, "CKM_ECDSA_SHA256"},
    {CKM_ECDSA_SHA384, "CKM_ECDSA_SHA384"},
};

bool isRelevant(CK_MECHANISM_TYPE m) {
    for (const auto& r : kRelevant)
        if (r.mechanism == m) return true;
    for (const auto& t : kKeyTraits)
        if (t.generate == m) return true;
    for (const auto& s : kSignatureMechanisms)
        if (s.hashAndSign == m || s.raw == m) return true;
    return false;
}

std::vector<CK_MECHANISM_TYPE> mechanismList(const Module& module, CK_SLOT_ID slot) {
    CK_ULONG n = 0;
    FIRMANTE_CK(module.api(), C_GetMechanismList, slot, nullptr, &n);
    if (n > 4096) n = 4096;  // a limit before the allocation; no real token has that many
    std::vector<CK_MECHANISM_TYPE> list(n);
    CK_RV rv = module.api()->C_GetMechanismList(slot, list.data(), &n);
    if (rv == CKR_BUFFER_TOO_SMALL) {
        // The list grew between the two calls (or passed the cap): keep what fits.
        n = list.size();
        rv = CKR_OK;
    }
    check(rv, "C_GetMechanismList");
    list.resize(std::min<CK_ULONG>(n, list.size()));
    return list;
}

}  // namespace

TokenMechanisms TokenMechanisms::readList(const Module& module, CK_SLOT_ID slot) {
    std::map<CK_MECHANISM_TYPE, CK_MECHANISM_INFO> out;
    for (auto m : mechanismList(module, slot))
        out[m] = CK_MECHANISM_INFO{0, ~CK_ULONG{0}, ~CK_FLAGS{0}};
    return TokenMechanisms(std::move(out));
}

TokenMechanisms TokenMechanisms::read(const Module& module, CK_SLOT_ID slot) {
    std::map<CK_MECHANISM_TYPE, CK_MECHANISM_INFO> out;
    for (auto m : mechanismList(module, slot)) {
        if (!isRelevant(m)) continue;
        CK_MECHANISM_INFO info{};
        if (module.api()->C_GetMechanismInfo(slot, m, &info) != CKR_OK)
            continue;  // listed but not described: treat as absent rather than guess
        out[m] = info;
    }
    return TokenMechanisms(std::move(out));
}

bool TokenMechanisms::has(CK_MECHANISM_TYPE mechanism, CK_FLAGS flags) const {
    auto it = mechanisms_.find(mechanism);
    return it != mechanisms_.end() && (it->second.flags & flags) == flags;
}

bool TokenMechanisms::offers(KeyType type) const {
    const KeyTraits& t = traitsOf(type);
    auto gen = mechanisms_.find(t.generate);
    if (gen == mechanisms_.end() || !(gen->second.flags & CKF_GENERATE_KEY_PAIR)) return false;
    // RSA sizes are in bits. EC sizes are field bits in v2.40 but bytes on some older modules,
    // so they are not used to refuse a curve.
    if (t.keyType == CKK_RSA &&
        (t.bits < gen->second.ulMinKeySize || t.bits > gen->second.ulMaxKeySize))
        return false;
    return signMechanism(t.keyType, EVP_MD_get_type(t.challengeDigest())).has_value() &&
           signMechanism(t.keyType, NID_sha256).has_value();
}

std::vector<KeyType> TokenMechanisms::offered() const {
    std::vector<KeyType> out;
    for (const auto& t : allKeyTraits())
        if (offers(t.type)) out.push_back(t.type);
    return out;
}

std::optional<SignMechanism> TokenMechanisms::signMechanism(CK_KEY_TYPE keyType,
                                                            int digestNid) const {
    const SignatureMechanisms* row = signatureMechanismsFor(keyType, digestNid);
    if (row == nullptr) return std::nullopt;
    if (has(row->hashAndSign, CKF_SIGN)) return SignMechanism{row->hashAndSign, true, {}};
    if (has(row->raw, CKF_SIGN)) return SignMechanism{row->raw, false, row->digestInfo};
    return std::nullopt;
}

std::vector<std::string> TokenMechanisms::relevantNames() const {
    std::vector<std::string> out;
    for (const auto& r : kRelevant)
        if (mechanisms_.count(r.mechanism)) out.emplace_back(r.name);
    return out;
}

std::string mechanismName(CK_MECHANISM_TYPE mechanism) {
    for (const auto& r : kRelevant)
        if (r.mechanism == mechanism) return r.name;
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(mechanism));
    return buf;
}

}  // namespace firmante::pkcs11
