#include "JsonViews.h"

#include "Encoding.h"
#include "firmante/pkcs11/Certificate.h"

namespace firmante::cli {

nlohmann::json tokenJson(const pkcs11::TokenInfo& token) {
    return {
        {"uri", token.uri().str()},
        {"label", token.label},
        {"manufacturer", token.manufacturer},
        {"model", token.model},
        {"serial", token.serial},
        {"slotId", token.slotId},
        {"pinpad", token.pinpad},
        {"pinCountLow", token.pinCountLow},
        {"pinFinalTry", token.pinFinalTry},
        {"pinLocked", token.pinLocked},
        {"initialized", token.initialized},
        {"keyTypes", token.keyTypes},
    };
}

nlohmann::json certificateJson(const pkcs11::CertificateInfo& c) {
    nlohmann::json j{
        {"uri", c.uri.str()},
        {"keyUri", c.keyUri ? nlohmann::json(c.keyUri->str()) : nlohmann::json(nullptr)},
        {"label", c.label},
        {"id", pkcs11::toHex(c.id)},
        {"subject", c.subject},
        {"issuer", c.issuer},
        {"serial", c.serialHex},
        {"notBefore", isoTime(c.notBefore)},
        {"notAfter", isoTime(c.notAfter)},
        {"expired", c.expired},
        {"spkiSha256", c.spkiSha256Hex},
        {"der", base64(c.der)},
    };
    return j;
}

nlohmann::json keyAttributesJson(const pkcs11::KeyAttributes& a) {
    return {
        {"local", a.local},
        {"alwaysSensitive", a.alwaysSensitive},
        {"neverExtractable", a.neverExtractable},
        {"extractable", a.extractable},
        {"sensitive", a.sensitive},
        // CKA_ALWAYS_AUTHENTICATE: the PIN is asked again before each signature.
        {"alwaysAuthenticate", a.alwaysAuthenticate},
        // Issue 11: many cards record no access flags; say plainly whether the token vouches
        // that the key was born here and never left.
        {"provenanceConfirmed", a.provenanceConfirmed()},
    };
}

nlohmann::json keyJson(const pkcs11::KeyInfo& k) {
    nlohmann::json j{
        {"uri", k.uri.str()},
        {"label", k.label},
        {"id", pkcs11::toHex(k.id)},
        {"algorithm", k.algorithm},
        {"keyAttributes", keyAttributesJson(k.attributes)},
    };
    if (!k.spki.empty()) {
        j["spki"] = base64(k.spki);
        j["spkiSha256"] = pkcs11::toHex(pkcs11::sha256(k.spki));
        j["spkiHex"] = pkcs11::spkiHex(k.spki);
    } else {
        j["spki"] = nullptr;
        j["spkiSha256"] = nullptr;
        j["spkiHex"] = nullptr;
    }
    return j;
}

}  // namespace firmante::cli
