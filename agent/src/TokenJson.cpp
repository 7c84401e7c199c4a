#include "firmante/agent/TokenJson.h"

#include <ctime>

#include "firmante/agent/Base64.h"

namespace firmante::agent {

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
            {"subject", c.subject},
            {"issuer", c.issuer},
            {"serial", c.serialHex},
            {"notBefore", isoTime(c.notBefore)},
            {"notAfter", isoTime(c.notAfter)},
            {"expired", c.expired},
            {"spkiSha256", c.spkiSha256Hex},
            {"der", base64Encode(c.der)}};
}

}  // namespace firmante::agent
