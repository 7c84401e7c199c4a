#include "firmante/pkcs11/Token.h"

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

namespace {

using SecureBytes = std::vector<unsigned char, ZeroizingAllocator<unsigned char>>;

CK_BBOOL kTrue = CK_TRUE;
CK_BBOOL kFalse = CK_FALSE;

// DER OIDs for CKA_EC_PARAMS.
const Bytes kP256Oid = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
const Bytes kP384Oid = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};

template <typename T>
CK_ATTRIBUTE attr(CK_ATTRIBUTE_TYPE type, T* value) {
    return {type, value, sizeof(T)};
}
CK_ATTRIBUTE attrBytes(CK_ATTRIBUTE_TYPE type, const void* data, std::size_t n) {
    return {type, const_cast<void*>(data), static_cast<CK_ULONG>(n)};
}

struct BnFree {
    void operator()(BIGNUM* p) const noexcept { BN_clear_free(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

// CKA_EC_POINT is a DER OCTET STRING around the point on most tokens (SoftHSM, OpenSC); accept
// the bare point too, as some tokens give it.
Bytes unwrapEcPoint(const Bytes& value) {
    if (value.size() >= 2 && value[0] == 0x04) {
        std::size_t len = value[1], header = 2;
        if (len & 0x80) {
            std::size_t n = len & 0x7f;
            if (n < 1 || n > 2 || value.size() < 2 + n) return value;
            len = 0;
            for (std::size_t i = 0; i < n; ++i) len = (len << 8) | value[2 + i];
            header = 2 + n;
        }
        if (header + len == value.size()) return Bytes(value.begin() + header, value.end());
    }
    return value;
}

Bytes wrapOctetString(const Bytes& point) {
    Bytes out{0x04};
    if (point.size() < 0x80) {
        out.push_back(static_cast<unsigned char>(point.size()));
    } else {
        out.push_back(0x81);
        out.push_back(static_cast<unsigned char>(point.size()));
    }
    out.insert(out.end(), point.begin(), point.end());
    return out;
}

const char* curveName(const Bytes& params) {
    if (params == kP256Oid) return "P-256";
    if (params == kP384Oid) return "P-384";
    return nullptr;
}

// Builds a public key from the parameters `fill` pushes (OpenSSL 3's provider-neutral way).
template <typename Fill>
EvpPkeyPtr publicKeyFromParams(const char* algorithm, Fill fill) {
    std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(),
                                                                        &OSSL_PARAM_BLD_free);
    fill(bld.get());
    std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(
        OSSL_PARAM_BLD_to_param(bld.get()), &OSSL_PARAM_free);
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
        EVP_PKEY_CTX_new_from_name(nullptr, algorithm, nullptr), &EVP_PKEY_CTX_free);
    EVP_PKEY* key = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        throwOpenSsl(Reason::Internal, std::string("cannot rebuild the ") + algorithm +
                                           " public key read from the token");
    return EvpPkeyPtr(key);
}

EvpPkeyPtr rsaPublicKey(const Bytes& modulus, const Bytes& exponent) {
    BnPtr n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
    BnPtr e(BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr));
    return publicKeyFromParams("RSA", [&](OSSL_PARAM_BLD* bld) {
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n.get());
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e.get());
    });
}

EvpPkeyPtr ecPublicKey(const Bytes& params, const Bytes& point) {
    const char* curve = curveName(params);
    if (curve == nullptr) throw Error(Reason::MechanismInvalid, "unsupported EC curve on token");
    return publicKeyFromParams("EC", [&](OSSL_PARAM_BLD* bld) {
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curve, 0);
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
    });
}

std::string algorithmName(const EVP_PKEY* key) {
    int bits = EVP_PKEY_get_bits(key);
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) return "rsa-" + std::to_string(bits);
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
        if (bits == 256) return "ec-p256";
        if (bits == 384) return "ec-p384";
        return "ec-" + std::to_string(bits);
    }
    return "unknown";
}

Bytes bnBytes(const BIGNUM* bn) {
    Bytes out(BN_num_bytes(bn));
    BN_bn2bin(bn, out.data());
    return out;
}

SecureBytes secureBnBytes(const BIGNUM* bn, std::size_t pad = 0) {
    std::size_t n = std::max<std::size_t>(BN_num_bytes(bn), pad);
    SecureBytes out(n);
    BN_bn2binpad(bn, out.data(), static_cast<int>(n));
    return out;
}

// Return values by which modules reject a template they could satisfy without its optional parts.
bool isTemplateRejection(CK_RV rv) {
    return rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_ATTRIBUTE_VALUE_INVALID ||
           rv == CKR_TEMPLATE_INCONSISTENT || rv == CKR_GENERAL_ERROR ||
           rv == CKR_FUNCTION_FAILED || rv == CKR_ATTRIBUTE_READ_ONLY;
}

}  // namespace

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

Token::Token(std::shared_ptr<Module> module, CK_SLOT_ID slot)
    : module_(std::move(module)), slot_(slot), session_(std::make_unique<Session>(module_, slot)) {}

Token Token::open(std::shared_ptr<Module> module, const std::string& labelOrUri) {
    CK_SLOT_ID slot = module->findToken(labelOrUri);
    return Token(std::move(module), slot);
}

TokenInfo Token::info() const {
    return module_->tokenInfo(slot_);
}

void Token::requireKeyType(KeyType type) const {
    auto mechanisms = TokenMechanisms::read(*module_, slot_);
    if (mechanisms.offers(type)) return;
    std::string offered;
    for (KeyType t : mechanisms.offered())
        offered += (offered.empty() ? "" : ", ") + std::string(keyTypeName(t));
    throw Error(Reason::KeyTypeUnsupported,
                "the token cannot generate and sign with " + std::string(keyTypeName(type)) +
                    " keys; it offers: " + (offered.empty() ? "none" : offered));
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

KeyInfo Token::readKey(CK_OBJECT_HANDLE priv) {
    // One batch (two calls) instead of a call pair per attribute.
    auto v = session_->attributes(
        priv,
        {CKA_ID, CKA_LABEL, CKA_LOCAL, CKA_NEVER_EXTRACTABLE, CKA_ALWAYS_SENSITIVE, CKA_EXTRACTABLE,
         CKA_SENSITIVE, CKA_KEY_TYPE, CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_ALWAYS_AUTHENTICATE});
    auto flag = [&](std::size_t i, bool fallback) {
        return v[i] && v[i]->size() == sizeof(CK_BBOOL) ? (*v[i])[0] != CK_FALSE : fallback;
    };
    KeyInfo key;
    key.id = v[0].value_or(Bytes{});
    if (v[1]) key.label.assign(v[1]->begin(), v[1]->end());
    key.handle = priv;
    key.attributes.local = flag(2, false);
    key.attributes.neverExtractable = flag(3, false);
    key.attributes.alwaysSensitive = flag(4, false);
    key.attributes.extractable = flag(5, true);
    key.attributes.sensitive = flag(6, false);
    key.attributes.alwaysAuthenticate = flag(10, false);
    CK_ULONG keyType = CKK_RSA;
    if (v[7] && v[7]->size() == sizeof(CK_ULONG))
        std::memcpy(&keyType, v[7]->data(), sizeof keyType);
    EvpPkeyPtr pub;
    try {
        if (keyType == CKK_RSA && v[8] && v[9] && !v[8]->empty()) pub = rsaPublicKey(*v[8], *v[9]);
        if (!pub && !key.id.empty()) {
            // The public half, paired by CKA_ID.
            CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
            auto found = session_->find(
                {attr(CKA_CLASS, &cls), attrBytes(CKA_ID, key.id.data(), key.id.size())});
            if (!found.empty()) {
                if (keyType == CKK_RSA) {
                    auto n = session_->attribute(found[0], CKA_MODULUS);
                    auto e = session_->attribute(found[0], CKA_PUBLIC_EXPONENT);
                    if (n && e) pub = rsaPublicKey(*n, *e);
                } else if (keyType == CKK_EC) {
                    auto params = session_->attribute(found[0], CKA_EC_PARAMS);
                    auto point = session_->attribute(found[0], CKA_EC_POINT);
                    if (params && point) pub = ecPublicKey(*params, unwrapEcPoint(*point));
                }
            }
        }
        if (!pub && !key.id.empty()) {
            // Some tokens keep only the private key and the certificate.
            CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
            auto found = session_->find(
                {attr(CKA_CLASS, &cls), attrBytes(CKA_ID, key.id.data(), key.id.size())});
            if (!found.empty()) {
                if (auto der = session_->attribute(found[0], CKA_VALUE)) {
                    auto cert = decodeCertificate(*der);
                    pub.reset(X509_get_pubkey(cert.get()));
                }
            }
        }
    } catch (const Error&) {
        pub.reset();  // an odd public key must not hide the private key from the list
    }
    if (pub) {
        key.spki = publicKeySpki(pub.get());
        key.algorithm = algorithmName(pub.get());
    } else {
        key.algorithm = keyType == CKK_EC ? "ec" : keyType == CKK_RSA ? "rsa" : "unknown";
    }
    key.uri = tokenUri();
    if (!key.id.empty()) key.uri.id = key.id;
    if (!key.label.empty()) key.uri.object = key.label;
    key.uri.type = "private";
    return key;
}

std::vector<KeyInfo> Token::keys() {
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    std::vector<KeyInfo> out;
    for (auto h : session_->find({attr(CKA_CLASS, &cls)})) out.push_back(readKey(h));
    return out;
}

std::optional<CertificateInfo> Token::readCertificate(CK_OBJECT_HANDLE h) {
    auto v = session_->attributes(h, {CKA_VALUE, CKA_ID, CKA_LABEL});
    if (!v[0]) return std::nullopt;
    CertificateInfo c;
    try {
        c = describeCertificate(*v[0]);
    } catch (const Error&) {
        return std::nullopt;  // a malformed certificate object is not ours to show
    }
    c.id = v[1].value_or(Bytes{});
    if (v[2]) c.label.assign(v[2]->begin(), v[2]->end());
    c.uri = tokenUri();
    if (!c.id.empty()) c.uri.id = c.id;
    if (!c.label.empty()) c.uri.object = c.label;
    c.uri.type = "cert";
    return c;
}

void Token::pairWithKey(CertificateInfo& c,
                        const std::function<const std::vector<KeyInfo>&()>& all) {
    const KeyInfo* match = nullptr;
    std::optional<KeyInfo> byId;
    if (!c.id.empty()) {
        // One C_FindObjects by CKA_ID first: the common case costs a lookup, not a token scan.
        CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
        auto found =
            session_->find({attr(CKA_CLASS, &cls), attrBytes(CKA_ID, c.id.data(), c.id.size())});
        if (!found.empty()) {
            byId = readKey(found.back());
            match = &*byId;
        }
    }
    if (!match)
        for (auto& k : all())
            if (!k.spki.empty() && k.spki == c.spki) match = &k;
    if (match) {
        c.keyUri = match->uri;
    } else if (!c.id.empty() && !loggedIn()) {
        // Before login private keys are hidden; the public half with the same CKA_ID is not,
        // and names the key a person will be asked to unlock.
        CK_OBJECT_CLASS pubCls = CKO_PUBLIC_KEY;
        auto pubs =
            session_->find({attr(CKA_CLASS, &pubCls), attrBytes(CKA_ID, c.id.data(), c.id.size())});
        if (!pubs.empty()) {
            Uri keyUri = tokenUri();
            keyUri.id = c.id;
            auto keyLabel = session_->attribute(pubs[0], CKA_LABEL).value_or(Bytes{});
            if (!keyLabel.empty()) keyUri.object = std::string(keyLabel.begin(), keyLabel.end());
            keyUri.type = "private";
            c.keyUri = keyUri;
        }
    }
}

std::vector<CertificateInfo> Token::certificates() {
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    CK_CERTIFICATE_TYPE ctype = CKC_X_509;
    auto handles = session_->find({attr(CKA_CLASS, &cls), attr(CKA_CERTIFICATE_TYPE, &ctype)});
    std::optional<std::vector<KeyInfo>> allKeys;
    auto keysOnce = [&]() -> const std::vector<KeyInfo>& {
        if (!allKeys) allKeys = keys();
        return *allKeys;
    };
    std::vector<CertificateInfo> out;
    for (auto h : handles) {
        auto c = readCertificate(h);
        if (!c) continue;
        pairWithKey(*c, keysOnce);
        out.push_back(std::move(*c));
    }
    return out;
}

KeyInfo Token::key(const Uri& uri) {
    if (uri.type && *uri.type != "private")
        throw Error(Reason::InvalidParams,
                    "the URI does not name a private key (type=" + *uri.type + ")");
    if (!uri.id && !uri.object)
        throw Error(Reason::InvalidParams, "the key URI needs an id or an object label");
    // The token finds it (C_FindObjects on class, CKA_ID, CKA_LABEL): reading every key costs
    // about ten calls per key pair on the token.
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    std::vector<CK_ATTRIBUTE> match = {attr(CKA_CLASS, &cls)};
    if (uri.id) match.push_back(attrBytes(CKA_ID, uri.id->data(), uri.id->size()));
    if (uri.object) match.push_back(attrBytes(CKA_LABEL, uri.object->data(), uri.object->size()));
    auto found = session_->find(match);
    if (found.empty())
        throw Error(Reason::KeyNotFound, "no private key " + uri.str() + " on the token");
    return readKey(found.front());
}

CertificateInfo Token::certificate(const Uri& uri) {
    if (uri.type && *uri.type != "cert")
        throw Error(Reason::InvalidParams,
                    "the URI does not name a certificate (type=" + *uri.type + ")");
    if (!uri.id && !uri.object)
        throw Error(Reason::InvalidParams, "the certificate URI needs an id or an object label");
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    CK_CERTIFICATE_TYPE ctype = CKC_X_509;
    std::vector<CK_ATTRIBUTE> match = {attr(CKA_CLASS, &cls), attr(CKA_CERTIFICATE_TYPE, &ctype)};
    if (uri.id) match.push_back(attrBytes(CKA_ID, uri.id->data(), uri.id->size()));
    if (uri.object) match.push_back(attrBytes(CKA_LABEL, uri.object->data(), uri.object->size()));
    std::optional<std::vector<KeyInfo>> allKeys;
    auto keysOnce = [&]() -> const std::vector<KeyInfo>& {
        if (!allKeys) allKeys = keys();
        return *allKeys;
    };
    for (auto h : session_->find(match)) {
        auto c = readCertificate(h);
        if (!c) continue;
        pairWithKey(*c, keysOnce);
        return *c;
    }
    throw Error(Reason::CertificateNotFound, "no certificate " + uri.str() + " on the token");
}

const Uri& Token::tokenUri() {
    // Label, manufacturer, model and serial cannot change while our session is open.
    if (!tokenUri_) tokenUri_ = info().uri();
    return *tokenUri_;
}

CertificateInfo Token::storeCertificate(std::span<const unsigned char> bytes,
                                        const std::string& label) {
    auto cert = decodeCertificate(bytes);
    auto described = describeCertificate(cert.get());
    for (auto& existing : certificates())
        if (existing.der == described.der) return existing;
    const KeyInfo* owner = nullptr;
    auto all = keys();
    for (auto& k : all)
        if (!k.spki.empty() && k.spki == described.spki) owner = &k;
    if (owner == nullptr)
        throw Error(Reason::CertificateMismatch,
                    "the certificate's public key matches no private key on the token" +
                        std::string(loggedIn() ? "" : " (private keys are hidden until login)"));
    std::string certLabel = label.empty() ? owner->label : label;
    auto toDer = [](auto* obj, auto fn) {
        int n = fn(obj, nullptr);
        Bytes out(n > 0 ? n : 0);
        unsigned char* p = out.data();
        fn(obj, &p);
        return out;
    };
    Bytes subject = toDer(X509_get_subject_name(cert.get()), i2d_X509_NAME);
    Bytes issuer = toDer(X509_get_issuer_name(cert.get()), i2d_X509_NAME);
    Bytes serial =
        toDer(const_cast<ASN1_INTEGER*>(X509_get0_serialNumber(cert.get())), i2d_ASN1_INTEGER);
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    CK_CERTIFICATE_TYPE ctype = CKC_X_509;
    session_->createObject({attr(CKA_CLASS, &cls), attr(CKA_CERTIFICATE_TYPE, &ctype),
                            attr(CKA_TOKEN, &kTrue), attr(CKA_PRIVATE, &kFalse),
                            attrBytes(CKA_ID, owner->id.data(), owner->id.size()),
                            attrBytes(CKA_LABEL, certLabel.data(), certLabel.size()),
                            attrBytes(CKA_SUBJECT, subject.data(), subject.size()),
                            attrBytes(CKA_ISSUER, issuer.data(), issuer.size()),
                            attrBytes(CKA_SERIAL_NUMBER, serial.data(), serial.size()),
                            attrBytes(CKA_VALUE, described.der.data(), described.der.size())});
    for (auto& c : certificates())
        if (c.der == described.der) return c;
    throw Error(Reason::Internal, "the stored certificate cannot be read back");
}

ImportedPkcs12 Token::importPkcs12(std::span<const unsigned char> pfx, Secret password,
                                   const std::string& label) {
    if (pfx.size() > 1024 * 1024) throw Error(Reason::TooLarge, "PKCS#12 file larger than 1 MiB");
    if (!loggedIn()) throw Error(Reason::NotLoggedIn, "log in to the token before importing");
    const unsigned char* p = pfx.data();
    std::unique_ptr<PKCS12, decltype(&PKCS12_free)> p12(
        d2i_PKCS12(nullptr, &p, static_cast<long>(pfx.size())), &PKCS12_free);
    if (!p12) throwOpenSsl(Reason::InvalidParams, "not a PKCS#12 (.pfx) file");
    const char* pass = password.c_str();
    if (PKCS12_mac_present(p12.get()) &&
        PKCS12_verify_mac(p12.get(), pass, static_cast<int>(password.size())) != 1) {
        ERR_clear_error();
        throw Error(Reason::PasswordIncorrect, "the .pfx password is incorrect",
                    "PKCS12_verify_mac");
    }
    EVP_PKEY* rawKey = nullptr;
    X509* rawCert = nullptr;
    STACK_OF(X509)* ca = nullptr;
    int ok = PKCS12_parse(p12.get(), pass, &rawKey, &rawCert, &ca);
    password.clear();
    EvpPkeyPtr pkey(rawKey);
    X509Ptr cert(rawCert);
    sk_X509_pop_free(ca, X509_free);
    if (ok != 1) throwOpenSsl(Reason::PasswordIncorrect, "cannot open the .pfx file");
    if (!pkey || !cert)
        throw Error(Reason::InvalidParams, "the .pfx file holds no private key and certificate");
    if (X509_check_private_key(cert.get(), pkey.get()) != 1)
        throwOpenSsl(Reason::CertificateMismatch, "the .pfx key does not match its certificate");

    auto described = describeCertificate(cert.get());
    std::string keyLabel = label;
    if (keyLabel.empty()) {
        // The certificate's CN is what a person recognises.
        X509_NAME* name = X509_get_subject_name(cert.get());
        int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
        if (idx >= 0) {
            unsigned char* utf8 = nullptr;
            int n = ASN1_STRING_to_UTF8(&utf8,
                                        X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)));
            if (n > 0) keyLabel.assign(reinterpret_cast<char*>(utf8), n);
            OPENSSL_free(utf8);
        }
        if (keyLabel.empty()) keyLabel = "Importado";
    }

    CK_OBJECT_CLASS privCls = CKO_PRIVATE_KEY, pubCls = CKO_PUBLIC_KEY;
    // The same sign-only template as keygen: one definition, so the two cannot drift apart.
    std::vector<CK_ATTRIBUTE> priv = signOnlyPrivateKeyTemplate(keyLabel, true);
    priv.push_back(attr(CKA_CLASS, &privCls));
    std::vector<CK_ATTRIBUTE> pub = publicKeyTemplate(keyLabel, true);
    pub.push_back(attr(CKA_CLASS, &pubCls));
    CK_KEY_TYPE keyType;
    Bytes id, pubA, pubB;
    std::vector<SecureBytes> secrets;
    auto getBn = [&](const char* name) {
        BIGNUM* bn = nullptr;
        if (EVP_PKEY_get_bn_param(pkey.get(), name, &bn) != 1)
            throwOpenSsl(Reason::InvalidParams, std::string("the .pfx key lacks ") + name);
        return BnPtr(bn);
    };
    if (EVP_PKEY_get_base_id(pkey.get()) == EVP_PKEY_RSA) {
        keyType = CKK_RSA;
        pubA = bnBytes(getBn(OSSL_PKEY_PARAM_RSA_N).get());
        pubB = bnBytes(getBn(OSSL_PKEY_PARAM_RSA_E).get());
        id = sha1(pubA);
        struct Part {
            CK_ATTRIBUTE_TYPE type;
            const char* name;
        } parts[] = {{CKA_PRIVATE_EXPONENT, OSSL_PKEY_PARAM_RSA_D},
                     {CKA_PRIME_1, OSSL_PKEY_PARAM_RSA_FACTOR1},
                     {CKA_PRIME_2, OSSL_PKEY_PARAM_RSA_FACTOR2},
                     {CKA_EXPONENT_1, OSSL_PKEY_PARAM_RSA_EXPONENT1},
                     {CKA_EXPONENT_2, OSSL_PKEY_PARAM_RSA_EXPONENT2},
                     {CKA_COEFFICIENT, OSSL_PKEY_PARAM_RSA_COEFFICIENT1}};
        secrets.reserve(std::size(parts));
        priv.push_back(attrBytes(CKA_MODULUS, pubA.data(), pubA.size()));
        priv.push_back(attrBytes(CKA_PUBLIC_EXPONENT, pubB.data(), pubB.size()));
        for (auto& part : parts) {
            secrets.push_back(secureBnBytes(getBn(part.name).get()));
            priv.push_back(attrBytes(part.type, secrets.back().data(), secrets.back().size()));
        }
        pub.push_back(attrBytes(CKA_MODULUS, pubA.data(), pubA.size()));
        pub.push_back(attrBytes(CKA_PUBLIC_EXPONENT, pubB.data(), pubB.size()));
    } else if (EVP_PKEY_get_base_id(pkey.get()) == EVP_PKEY_EC) {
        keyType = CKK_EC;
        char group[64] = {};
        EVP_PKEY_get_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       nullptr);
        std::string g = group;
        std::size_t fieldLen;
        if (g == "prime256v1" || g == "P-256") {
            pubA = kP256Oid;
            fieldLen = 32;
        } else if (g == "secp384r1" || g == "P-384") {
            pubA = kP384Oid;
            fieldLen = 48;
        } else {
            throw Error(Reason::MechanismInvalid, "unsupported EC curve in the .pfx: " + g);
        }
        Bytes point(256);
        std::size_t plen = 0;
        if (EVP_PKEY_get_octet_string_param(pkey.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                            point.size(), &plen) != 1)
            throwOpenSsl(Reason::InvalidParams, "the .pfx EC key has no public point");
        point.resize(plen);
        id = sha1(point);
        pubB = wrapOctetString(point);
        secrets.push_back(secureBnBytes(getBn(OSSL_PKEY_PARAM_PRIV_KEY).get(), fieldLen));
        priv.push_back(attrBytes(CKA_EC_PARAMS, pubA.data(), pubA.size()));
        priv.push_back(attrBytes(CKA_VALUE, secrets.back().data(), secrets.back().size()));
        pub.push_back(attrBytes(CKA_EC_PARAMS, pubA.data(), pubA.size()));
        pub.push_back(attrBytes(CKA_EC_POINT, pubB.data(), pubB.size()));
    } else {
        throw Error(Reason::MechanismInvalid, "the .pfx key is neither RSA nor EC");
    }
    priv.push_back(attr(CKA_KEY_TYPE, &keyType));
    pub.push_back(attr(CKA_KEY_TYPE, &keyType));
    priv.push_back(attrBytes(CKA_ID, id.data(), id.size()));
    pub.push_back(attrBytes(CKA_ID, id.data(), id.size()));
    pkey.reset();  // the software copy goes as soon as the token has its own

    CK_OBJECT_HANDLE hPriv = session_->createObject(priv);
    secrets.clear();
    session_->createObject(pub);
    ImportedPkcs12 result;
    result.key = readKey(hPriv);
    result.certificate = storeCertificate(described.der, keyLabel);
    return result;
}

void Token::deleteKey(const Uri& keyUri) {
    KeyInfo k = key(keyUri);
    if (k.id.empty()) throw Error(Reason::KeyNotFound, "refusing to delete a key without CKA_ID");
    for (CK_OBJECT_CLASS cls : {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY}) {
        auto found =
            session_->find({attr(CKA_CLASS, &cls), attrBytes(CKA_ID, k.id.data(), k.id.size())});
        for (auto h : found) session_->destroyObject(h);
    }
}

std::size_t Token::deleteKeyObjectsLabelled(const std::string& label,
                                            const std::vector<Bytes>& keepIds) {
    if (label.empty()) throw Error(Reason::InvalidParams, "refusing to delete unlabelled keys");
    std::size_t deleted = 0;
    for (CK_OBJECT_CLASS cls : {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY}) {
        for (auto h : session_->find(
                 {attr(CKA_CLASS, &cls), attrBytes(CKA_LABEL, label.data(), label.size())})) {
            const Bytes id = session_->attribute(h, CKA_ID).value_or(Bytes{});
            if (!id.empty() && std::find(keepIds.begin(), keepIds.end(), id) != keepIds.end())
                continue;
            session_->destroyObject(h);
            ++deleted;
        }
    }
    return deleted;
}

void Token::deleteCertificate(const Uri& certificateUri) {
    CertificateInfo c = certificate(certificateUri);
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    for (auto h :
         session_->find({attr(CKA_CLASS, &cls), attrBytes(CKA_VALUE, c.der.data(), c.der.size())}))
        session_->destroyObject(h);
}

EvpPkeyPtr Token::privateKey(const KeyInfo& key) {
    if (!loggedIn()) throw Error(Reason::NotLoggedIn, "log in to the token before using a key");
    // Our own signing path (TokenSigner.h) when the public half is known; libp11 only for a token
    // that hides it, where CKM_RSA_PKCS is all libp11 can ask for.
    if (!key.spki.empty())
        return tokenSigningKey(module_, slot_, key,
                               key.attributes.alwaysAuthenticate ? contextLogin_ : ContextLogin{});
    // libp11 would ask its own UI for the per-signature PIN, which no one answers here.
    if (key.attributes.alwaysAuthenticate)
        throw Error(Reason::MechanismInvalid,
                    "this key asks for the PIN before each signature and the token hides its "
                    "public half; Firmante cannot sign with such a key");
    return module_->bridge().privateKey(slot_, key.id);
}

}  // namespace firmante::pkcs11
