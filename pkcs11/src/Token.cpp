// Token: opening, reading keys and certificates, lookups (find templates), the private key for
// OpenSSL. Key generation, import and deletion are in TokenKeygen.cpp, TokenImport.cpp and
// TokenDelete.cpp.
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

std::optional<KeyInfo> Token::pairedKey(const CertificateInfo& c,
                                        const std::function<const std::vector<KeyInfo>&()>& all) {
    if (!c.id.empty()) {
        // One C_FindObjects by CKA_ID first: the common case costs a lookup, not a token scan.
        CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
        auto found =
            session_->find({attr(CKA_CLASS, &cls), attrBytes(CKA_ID, c.id.data(), c.id.size())});
        if (!found.empty()) return readKey(found.back());
    }
    for (auto& k : all())
        if (!k.spki.empty() && k.spki == c.spki) return k;
    return std::nullopt;
}

void Token::pairWithKey(CertificateInfo& c,
                        const std::function<const std::vector<KeyInfo>&()>& all) {
    if (auto match = pairedKey(c, all)) {
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

CertificateInfo Token::certificate(const Uri& uri, Pairing pairing) {
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
        if (pairing == Pairing::WithKey) pairWithKey(*c, keysOnce);
        return *c;
    }
    throw Error(Reason::CertificateNotFound, "no certificate " + uri.str() + " on the token");
}

KeyInfo Token::keyOf(const CertificateInfo& certificate) {
    std::optional<std::vector<KeyInfo>> allKeys;
    auto keysOnce = [&]() -> const std::vector<KeyInfo>& {
        if (!allKeys) allKeys = keys();
        return *allKeys;
    };
    if (auto key = pairedKey(certificate, keysOnce)) return std::move(*key);
    throw Error(Reason::KeyNotFound,
                "no private key on the token matches the certificate " + certificate.uri.str());
}

const Uri& Token::tokenUri() {
    // Label, manufacturer, model and serial cannot change while our session is open.
    if (!tokenUri_) tokenUri_ = info().uri();
    return *tokenUri_;
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
