#include "firmante/views/Json.h"

#include <ctime>

#include "firmante/pkcs11/Base64.h"
#include "firmante/pkcs11/Certificate.h"

namespace firmante::views {

std::string isoTime(std::chrono::system_clock::time_point time) {
    const std::time_t t = std::chrono::system_clock::to_time_t(time);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

nlohmann::json tokenJson(const pkcs11::TokenInfo& token) {
    return {{"uri", token.uri().str()},
            {"label", token.label},
            {"manufacturer", token.manufacturer},
            {"model", token.model},
            {"serial", token.serial},
            {"slot", token.slotId},
            {"pinpad", token.pinpad},
            {"pinCountLow", token.pinCountLow},
            {"pinFinalTry", token.pinFinalTry},
            {"pinLocked", token.pinLocked},
            {"loginRequired", token.loginRequired},
            {"initialized", token.initialized},
            {"keyTypes", token.keyTypes}};
}

nlohmann::json certificateJson(const pkcs11::CertificateInfo& c) {
    return {{"uri", c.uri.str()},
            {"keyUri", c.keyUri ? nlohmann::json(c.keyUri->str()) : nlohmann::json()},
            {"label", c.label},
            {"id", pkcs11::toHex(c.id)},
            {"subject", c.subject},
            {"issuer", c.issuer},
            {"serial", c.serialHex},
            {"notBefore", isoTime(c.notBefore)},
            {"notAfter", isoTime(c.notAfter)},
            {"expired", c.expired},
            {"spkiSha256", c.spkiSha256Hex},
            {"der", pkcs11::base64Encode(c.der)}};
}

std::string provenanceWords(const pkcs11::KeyAttributes& a) {
    if (a.provenanceConfirmed())
        return "El dispositivo confirma que la llave se generó en él y nunca salió de él. / The "
               "token confirms the key was generated on it and never left it.";
    std::string missing;
    auto add = [&missing](bool ok, const char* name) {
        if (!ok) missing += (missing.empty() ? "" : ", ") + std::string(name);
    };
    add(a.local, "CKA_LOCAL");
    add(a.neverExtractable, "CKA_NEVER_EXTRACTABLE");
    add(a.alwaysSensitive, "CKA_ALWAYS_SENSITIVE");
    add(!a.extractable, "CKA_EXTRACTABLE");
    return "El dispositivo NO confirma que la llave se generó en él ni que nunca salió de él (no "
           "lo indica: " +
           missing +
           "); muchas tarjetas no registran esos datos. / The token does NOT confirm that the key "
           "was generated on it and never left it (not stated: " +
           missing + "); many cards do not record this.";
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
        // Issue 11 §5: many cards record no access flags; say plainly whether the token vouches
        // that the key was born here and never left, and in words what it did not state.
        {"provenanceConfirmed", a.provenanceConfirmed()},
        {"provenance", provenanceWords(a)},
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
        j["spki"] = pkcs11::base64Encode(k.spki);
        j["spkiSha256"] = pkcs11::toHex(pkcs11::sha256(k.spki));
        j["spkiHex"] = pkcs11::spkiHex(k.spki);
    } else {
        j["spki"] = nullptr;
        j["spkiSha256"] = nullptr;
        j["spkiHex"] = nullptr;
    }
    return j;
}

}  // namespace firmante::views
