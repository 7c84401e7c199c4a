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

nlohmann::json keyAttributesJson(const pkcs11::KeyAttributes& a) {
    return {
        {"local", a.local},
        {"alwaysSensitive", a.alwaysSensitive},
        {"neverExtractable", a.neverExtractable},
        {"extractable", a.extractable},
        {"sensitive", a.sensitive},
        // Issue 11: many cards record no access flags; say plainly whether the token vouches
        // that the key was born here and never left.
        {"provenanceConfirmed",
         a.local && a.neverExtractable && a.alwaysSensitive && !a.extractable},
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
