#pragma once

#include <map>
#include <optional>
#include <span>
#include <vector>

#include <p11-kit/pkcs11.h>

#include "firmante/pkcs11/Types.h"

namespace firmante::pkcs11 {

class Module;

/// How the token is asked for one signature.
struct SignMechanism {
    CK_MECHANISM_TYPE mechanism;
    /// True for CKM_SHA256_RSA_PKCS, CKM_ECDSA_SHA384…: the token hashes the data itself. False
    /// for CKM_RSA_PKCS (we send a DigestInfo) and CKM_ECDSA (we send the digest).
    bool hashesData;
    /// For CKM_RSA_PKCS: the DER DigestInfo prefix sent before the digest; empty otherwise.
    std::span<const unsigned char> digestInfo;
};

/// What a token says it can do (C_GetMechanismList / C_GetMechanismInfo). Tokens differ:
/// tpm2-pkcs11 emulates CKM_RSA_PKCS with a decryption a sign-only key may refuse, some cards offer
/// only CKM_ECDSA_SHA1 for EC; so every key type and every signature is chosen from this, never
/// assumed.
class TokenMechanisms {
  public:
    /// The mechanism list with each one's info (C_GetMechanismInfo for the few Firmante uses).
    static TokenMechanisms read(const Module& module, CK_SLOT_ID slot);
    /// The list only (cheaper: two calls); flags are taken as "all", sizes as unbounded.
    static TokenMechanisms readList(const Module& module, CK_SLOT_ID slot);
    /// From a given set (tests).
    explicit TokenMechanisms(std::map<CK_MECHANISM_TYPE, CK_MECHANISM_INFO> mechanisms)
        : mechanisms_(std::move(mechanisms)) {}

    /// Whether the mechanism is offered with all of `flags` (CKF_SIGN, CKF_GENERATE_KEY_PAIR…).
    bool has(CK_MECHANISM_TYPE mechanism, CK_FLAGS flags = 0) const;
    /// The token can generate this type and sign with it in a way our formats need.
    bool offers(KeyType type) const;
    /// The types it offers, in allKeyTraits() order.
    std::vector<KeyType> offered() const;
    /// The mechanism for a signature with a CKK_RSA or CKK_EC key over data hashed with
    /// `digestNid` (NID_sha256 or NID_sha384): the hash-and-sign mechanism when offered, else
    /// CKM_RSA_PKCS over a DigestInfo or CKM_ECDSA over the digest. nullopt when none fits.
    std::optional<SignMechanism> signMechanism(CK_KEY_TYPE keyType, int digestNid) const;
    /// The CKM_ names offered that matter to Firmante (for `tokens --json` and errors).
    std::vector<std::string> relevantNames() const;

  private:
    std::map<CK_MECHANISM_TYPE, CK_MECHANISM_INFO> mechanisms_;
};

/// "CKM_SHA256_RSA_PKCS", or hex for a mechanism Firmante does not name.
std::string mechanismName(CK_MECHANISM_TYPE mechanism);

}  // namespace firmante::pkcs11
