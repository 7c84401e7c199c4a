// Token: key generation with the sign-only templates modules accept (issue 11 §3).
#include "firmante/pkcs11/Token.h"

#include "TokenInternal.h"

#include <algorithm>
#include <cstring>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pkcs12.h>

#include "firmante/pkcs11/Call.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/KeyTraits.h"
#include "firmante/pkcs11/Mechanisms.h"
#include "firmante/pkcs11/OpenSslBridge.h"
#include "firmante/pkcs11/TokenSigner.h"

namespace firmante::pkcs11 {

using namespace internal;

std::vector<CK_ATTRIBUTE> signOnlyPrivateKeyTemplate(const std::string& label, bool withOptional) {
    // DESIGN §3 rule 1: the private half is born sensitive and never extractable. Signing only:
    // a certificate key that also decrypts or unwraps widens what a stolen PIN can do, and the
    // module's defaults (SoftHSM's) allow both.
    std::vector<CK_ATTRIBUTE> out = {
        attr(CKA_TOKEN, &kTrue),     attr(CKA_PRIVATE, &kTrue),
        attr(CKA_SENSITIVE, &kTrue), attr(CKA_EXTRACTABLE, &kFalse),
        attr(CKA_SIGN, &kTrue),      attrBytes(CKA_LABEL, label.data(), label.size())};
    if (withOptional) {
        out.push_back(attr(CKA_DECRYPT, &kFalse));
        out.push_back(attr(CKA_UNWRAP, &kFalse));
        out.push_back(attr(CKA_DERIVE, &kFalse));
    }
    return out;
}

std::vector<CK_ATTRIBUTE> publicKeyTemplate(const std::string& label, bool withUsage) {
    std::vector<CK_ATTRIBUTE> out = {attr(CKA_TOKEN, &kTrue), attr(CKA_PRIVATE, &kFalse),
                                     attrBytes(CKA_LABEL, label.data(), label.size())};
    if (withUsage) {
        out.push_back(attr(CKA_VERIFY, &kTrue));
        out.push_back(attr(CKA_ENCRYPT, &kFalse));
        out.push_back(attr(CKA_WRAP, &kFalse));
    }
    return out;
}

KeyInfo Token::generateKeyPair(KeyType type, const std::string& label) {
    if (label.size() > 255) throw Error(Reason::InvalidParams, "key label longer than 255 bytes");
    requireKeyType(type);
    if (!loggedIn())
        throw Error(Reason::NotLoggedIn, "log in to the token before generating a key");
    const KeyTraits& traits = traitsOf(type);
    CK_MECHANISM mech{traits.generate, nullptr, 0};
    CK_ULONG bits = traits.bits;
    CK_BYTE exponent[] = {0x01, 0x00, 0x01};
    const bool ec = traits.keyType == CKK_EC;
    // The attempts, strictest first. Modules differ in what they accept: tpm2-pkcs11 backs both
    // halves with one TPM key and fails (CKR_GENERAL_ERROR, "attr mismatch 0x10a") when the public
    // half states CKA_VERIFY/CKA_ENCRYPT itself; others reject an attribute they do not know.
    // Only the optional statements are dropped: CKA_SENSITIVE, CKA_EXTRACTABLE=false and CKA_SIGN
    // are in every attempt, and what the token really set is read back below.
    std::vector<CK_ATTRIBUTE> pubKeyParams;
    if (ec) {
        pubKeyParams.push_back(attrBytes(CKA_EC_PARAMS, traits.curve.data(), traits.curve.size()));
    } else {
        pubKeyParams.push_back(attr(CKA_MODULUS_BITS, &bits));
        pubKeyParams.push_back(attrBytes(CKA_PUBLIC_EXPONENT, exponent, sizeof exponent));
    }
    CK_OBJECT_HANDLE hPub = CK_INVALID_HANDLE, hPriv = CK_INVALID_HANDLE;
    CK_RV rv = CKR_OK;
    for (int attempt = 0; attempt < 3; ++attempt) {
        std::vector<CK_ATTRIBUTE> pub = publicKeyTemplate(label, attempt == 0);
        pub.insert(pub.end(), pubKeyParams.begin(), pubKeyParams.end());
        std::vector<CK_ATTRIBUTE> priv = signOnlyPrivateKeyTemplate(label, attempt < 2);
        rv = session_->api()->C_GenerateKeyPair(session_->handle(), &mech, pub.data(), pub.size(),
                                                priv.data(), priv.size(), &hPub, &hPriv);
        if (!isTemplateRejection(rv)) break;
    }
    check(rv, "C_GenerateKeyPair");

    try {
        // CKA_ID = SHA-1 of the public key value (the modulus, or the EC point), as OpenSC does,
        // so certificates installed later by any tool pair with this key.
        Bytes value;
        if (ec) {
            value = unwrapEcPoint(session_->attribute(hPub, CKA_EC_POINT).value_or(Bytes{}));
        } else {
            value = session_->attribute(hPub, CKA_MODULUS).value_or(Bytes{});
        }
        if (value.empty()) throw Error(Reason::Internal, "the token did not return the public key");
        Bytes id = sha1(value);
        CK_ATTRIBUTE idAttr = attrBytes(CKA_ID, id.data(), id.size());
        CK_RV setRv = session_->api()->C_SetAttributeValue(session_->handle(), hPriv, &idAttr, 1);
        if (setRv == CKR_OK) {
            FIRMANTE_CK(session_->api(), C_SetAttributeValue, session_->handle(), hPub, &idAttr, 1);
        } else {
            // Some modules fix CKA_ID at generation; a pair that already shares one is usable.
            auto privId = session_->attribute(hPriv, CKA_ID);
            auto pubId = session_->attribute(hPub, CKA_ID);
            if (!privId || privId->empty() || privId != pubId) check(setRv, "C_SetAttributeValue");
        }
        return readKey(hPriv);
    } catch (const Error&) {
        // A pair without its CKA_ID pairs with nothing and nobody would find it: take it back.
        // Best effort; if this fails too (or the process dies first), the caller's journal has
        // the label to find it by.
        session_->api()->C_DestroyObject(session_->handle(), hPriv);
        session_->api()->C_DestroyObject(session_->handle(), hPub);
        throw;
    }
}

}  // namespace firmante::pkcs11
