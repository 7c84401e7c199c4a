#include "firmante/pkcs11/TokenSigner.h"

#include <algorithm>
#include <cstring>
#include <mutex>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "firmante/pkcs11/Call.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/KeyTraits.h"
#include "firmante/pkcs11/Mechanisms.h"
#include "firmante/pkcs11/Module.h"
#include "firmante/pkcs11/OpenSsl.h"
#include "firmante/pkcs11/Session.h"

namespace firmante::pkcs11 {

namespace {

struct TokenKeyRef {
    std::shared_ptr<Module> module;
    CK_SLOT_ID slot;
    Bytes id;
    CK_KEY_TYPE keyType;
    CK_OBJECT_HANDLE hint;
    bool alwaysAuthenticate;
    ContextLogin contextLogin;
};

void freeRef(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
    delete static_cast<TokenKeyRef*>(ptr);
}

int exIndex() {
    static int index = -1;
    static std::once_flag once;
    std::call_once(
        once, [] { index = EVP_PKEY_get_ex_new_index(0, nullptr, nullptr, nullptr, freeRef); });
    return index;
}

const TokenKeyRef* refOf(const EVP_PKEY* key) {
    return static_cast<const TokenKeyRef*>(EVP_PKEY_get_ex_data(key, exIndex()));
}

Bytes digestOf(const EVP_MD* md, std::span<const unsigned char> data) {
    Bytes out(EVP_MAX_MD_SIZE);
    unsigned int n = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &n, md, nullptr) != 1)
        throwOpenSsl(Reason::Internal, "cannot hash the data to sign");
    out.resize(n);
    return out;
}

// PKCS#11 returns r ‖ s; X.509 and CMS carry ECDSA-Sig-Value (RFC 3279 §2.2.3).
Bytes ecdsaDer(const Bytes& raw) {
    if (raw.empty() || raw.size() % 2 != 0)
        throw Error(Reason::Internal, "the token returned an ECDSA signature of odd length");
    const int half = static_cast<int>(raw.size() / 2);
    OpenSslPtr<ECDSA_SIG, ECDSA_SIG_free> sig(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(raw.data(), half, nullptr);
    BIGNUM* s = BN_bin2bn(raw.data() + half, half, nullptr);
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        throwOpenSsl(Reason::Internal, "cannot encode the ECDSA signature");
    }
    return toDer(sig.get(), i2d_ECDSA_SIG, "cannot encode the ECDSA signature");
}

Bytes signOnToken(const TokenKeyRef& ref, const EVP_MD* md, std::span<const unsigned char> data) {
    const int nid = EVP_MD_get_type(md);
    // Only the list: two calls, and C_SignInit says soon enough if a listed one cannot sign.
    auto mechanisms = TokenMechanisms::readList(*ref.module, ref.slot);
    auto choice = mechanisms.signMechanism(ref.keyType, nid);
    if (!choice) {
        std::string offered;
        for (const auto& name : mechanisms.relevantNames())
            offered += (offered.empty() ? "" : ", ") + name;
        throw Error(Reason::MechanismInvalid,
                    std::string("the token offers no mechanism to sign with this ") +
                        (ref.keyType == CKK_EC ? "EC" : "RSA") + " key and " + OBJ_nid2sn(nid) +
                        " (it offers: " + (offered.empty() ? "none Firmante can use" : offered) +
                        ")");
    }
    if (ref.alwaysAuthenticate && !ref.contextLogin)
        throw Error(Reason::NotLoggedIn,
                    "this key asks for the PIN before each signature, and nobody can be asked");
    Session session(ref.module, ref.slot);
    // The handle read with the key is used when it still names a private key with this CKA_ID
    // (one call); otherwise the token is searched (three).
    CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
    if (ref.hint != CK_INVALID_HANDLE) {
        try {
            auto seen = session.attributes(ref.hint, {CKA_CLASS, CKA_ID});
            CK_OBJECT_CLASS cls = CKO_DATA;
            if (seen[0] && seen[0]->size() == sizeof cls)
                std::memcpy(&cls, seen[0]->data(), sizeof cls);
            if (cls == CKO_PRIVATE_KEY && seen[1] == ref.id) handle = ref.hint;
        } catch (const Error&) {
            // CKR_OBJECT_HANDLE_INVALID and the like: the hint is stale, search instead.
        }
    }
    if (handle == CK_INVALID_HANDLE) {
        CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
        auto found = session.find({{CKA_CLASS, &cls, sizeof cls},
                                   {CKA_ID, const_cast<unsigned char*>(ref.id.data()),
                                    static_cast<CK_ULONG>(ref.id.size())}});
        if (found.empty())
            throw Error(Reason::KeyNotFound, "the private key is not visible (not logged in?)");
        handle = found[0];
    }

    Bytes input;
    if (choice->hashesData) {
        input.assign(data.begin(), data.end());
    } else {
        // CKM_RSA_PKCS pads what it gets: it gets the DigestInfo (RFC 8017 §9.2 note 1).
        Bytes digest = digestOf(md, data);
        input.assign(choice->digestInfo.begin(), choice->digestInfo.end());
        input.insert(input.end(), digest.begin(), digest.end());
    }
    CK_MECHANISM mechanism{choice->mechanism, nullptr, 0};
    FIRMANTE_CK(session.api(), C_SignInit, session.handle(), &mechanism, handle);
    // CKA_ALWAYS_AUTHENTICATE (PKCS#11 v2.40 §4.9, §5.1): the user login is not enough; the PIN
    // again, as CKU_CONTEXT_SPECIFIC, after C_SignInit and before C_Sign, for this signature only.
    // An exception here leaves the operation to die with the session.
    if (ref.alwaysAuthenticate) ref.contextLogin(session);
    // 1024 bytes hold an RSA-8192 signature or any ECDSA one: one C_Sign call, not two.
    Bytes signature(1024);
    CK_ULONG len = signature.size();
    CK_RV rv = session.api()->C_Sign(session.handle(), input.data(),
                                     static_cast<CK_ULONG>(input.size()), signature.data(), &len);
    if (rv == CKR_BUFFER_TOO_SMALL && len <= 64 * 1024) {
        signature.resize(len);
        rv = session.api()->C_Sign(session.handle(), input.data(),
                                   static_cast<CK_ULONG>(input.size()), signature.data(), &len);
    }
    check(rv, "C_Sign");
    signature.resize(len);
    return ref.keyType == CKK_EC ? ecdsaDer(signature) : signature;
}

}  // namespace

EvpPkeyPtr tokenSigningKey(std::shared_ptr<Module> module, CK_SLOT_ID slot, const KeyInfo& key,
                           ContextLogin contextLogin) {
    if (key.spki.empty())
        throw Error(Reason::InvalidParams, "the token shows no public key for this private key");
    const unsigned char* p = key.spki.data();
    EvpPkeyPtr pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(key.spki.size())));
    if (!pkey) throwOpenSsl(Reason::InvalidParams, "the key's public half cannot be read");
    const KeyTraits* family = familyTraitsOf(pkey.get());
    if (family == nullptr) throw Error(Reason::MechanismInvalid, "the key is neither RSA nor EC");
    const CK_KEY_TYPE keyType = family->keyType;
    auto* ref = new TokenKeyRef{std::move(module),
                                slot,
                                key.id,
                                keyType,
                                key.handle,
                                key.attributes.alwaysAuthenticate,
                                std::move(contextLogin)};
    if (EVP_PKEY_set_ex_data(pkey.get(), exIndex(), ref) != 1) {
        delete ref;
        throwOpenSsl(Reason::Internal, "cannot attach the token to the key");
    }
    return pkey;
}

bool isTokenSigningKey(const EVP_PKEY* key) noexcept {
    return key != nullptr && refOf(key) != nullptr;
}

Bytes signData(EVP_PKEY* key, const EVP_MD* digest, std::span<const unsigned char> data) {
    if (const TokenKeyRef* ref = refOf(key)) return signOnToken(*ref, digest, data);
    OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free> ctx(EVP_MD_CTX_new());
    std::size_t len = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, digest, nullptr, key) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, data.data(), data.size()) != 1)
        throwOpenSsl(Reason::Internal, "cannot start the signature");
    Bytes out(len);
    if (EVP_DigestSign(ctx.get(), out.data(), &len, data.data(), data.size()) != 1)
        throwOpenSsl(Reason::Internal, "the key could not sign");
    out.resize(len);
    return out;
}

}  // namespace firmante::pkcs11
