#include "RenewalSupport.h"

#include <algorithm>

#include "RenewalStep.h"
#include "Timestamp.h"
#include "firmante/pkcs11/Error.h"

namespace firmante::renewal::support {

using pkcs11::Error;
using pkcs11::Reason;
using json = nlohmann::json;

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

/// "03 82 01 0f 00 30 82 01 … 02 03 01 00 01": enough of the key for a person to compare.
std::string abbreviateHex(const std::string& spaced) {
    constexpr std::size_t kHead = 8 * 3, kTail = 5 * 3;
    if (spaced.size() <= kHead + kTail + 3) return spaced;
    return spaced.substr(0, kHead) + "… " + spaced.substr(spaced.size() - kTail + 1);
}

RenewalStep stateOf(const json& rec) {
    const auto step = parseStep(rec.value("state", std::string{}));
    if (!step)
        throw Error(Reason::RenewalState, "El diario de la renovación " +
                                              rec.value("renewalId", std::string{}) +
                                              " tiene un estado desconocido.");
    return *step;
}

void advance(json& rec, RenewalStep step) {
    const std::string at = nowTimestamp();
    rec["state"] = std::string(stepName(step));
    rec["updated"] = at;
    rec["history"].push_back({{"state", std::string(stepName(step))}, {"at", at}});
}

void requireStep(const json& rec, std::initializer_list<RenewalStep> allowed,
                 std::string_view action) {
    const RenewalStep current = stateOf(rec);
    if (std::find(allowed.begin(), allowed.end(), current) != allowed.end()) return;
    throw Error(Reason::RenewalState,
                "No se puede " + std::string(action) + " ahora: la renovación " +
                    rec.value("renewalId", std::string{}) + " está en el paso «" +
                    std::string(stepDescription(current)) +
                    "». Se espera: " + std::string(expectedNext(current)) + ".");
}

void requireOrigin(const json& rec, const std::string& origin) {
    // The other site's origin is not repeated: one portal should not learn where else a person
    // renews.
    if (rec.value("origin", std::string{}) != origin)
        throw Error(Reason::OriginNotAllowed,
                    "Esta renovación la inició otro sitio; " + origin + " no puede continuarla.");
}

void requireSameToken(pkcs11::Token& token, const json& rec) {
    const pkcs11::TokenInfo info = token.info();
    const json& t = rec.at("token");
    if (info.label != t.value("label", std::string{}) ||
        info.serial != t.value("serial", std::string{}))
        throw Error(Reason::TokenNotPresent,
                    "La renovación " + rec.value("renewalId", std::string{}) +
                        " está en el token «" + t.value("label", std::string{}) + "» (serie " +
                        t.value("serial", std::string{}) + "); conecte ese token.");
}

const std::string& tokenLabelOf(const json& rec) {
    return rec.at("token").at("label").get_ref<const std::string&>();
}

pkcs11::KeyInfo findKey(pkcs11::Token& token, const json& rec, const std::string& uri,
                        const std::string& what) {
    try {
        return token.key(pkcs11::Uri::parse(uri));
    } catch (const Error& e) {
        if (e.reason() != Reason::KeyNotFound) throw;
        throw Error(Reason::KeyNotFound, what + " (" + uri + ") ya no está en el token «" +
                                             tokenLabelOf(rec) +
                                             "». La renovación no puede continuar con este token.");
    }
}

pkcs11::CertificateInfo findCertificate(pkcs11::Token& token, const json& rec,
                                        const std::string& uri, const std::string& what) {
    try {
        return token.certificate(pkcs11::Uri::parse(uri));
    } catch (const Error& e) {
        if (e.reason() != Reason::CertificateNotFound) throw;
        throw Error(Reason::CertificateNotFound,
                    what + " (" + uri + ") ya no está en el token «" + tokenLabelOf(rec) + "».");
    }
}

void confirmAndUnlock(Authorizer& authorizer, pkcs11::Token& token,
                      const OperationDescription& what, std::string operation,
                      std::string operationEn, const std::string& renewalId) {
    authorizer.confirm(what);
    OperationDescription unlock = what;
    unlock.operation = std::move(operation);
    unlock.operationEn = std::move(operationEn);
    unlock.renewalId = renewalId;
    authorizer.unlock(token, unlock);
}

OperationDescription describe(const std::string& origin, std::string operation,
                              std::string operationEn, const std::string& tokenLabel,
                              const std::string& keyLabel) {
    OperationDescription what;
    what.origin = origin;
    what.operation = std::move(operation);
    what.operationEn = std::move(operationEn);
    what.tokenLabel = tokenLabel;
    what.keyLabel = keyLabel;
    return what;
}

bool provenanceConfirmedIn(const json& attributes) {
    if (!attributes.is_object()) return false;
    if (auto it = attributes.find("provenanceConfirmed");
        it != attributes.end() && it->is_boolean())
        return it->get<bool>();
    return attributes.value("local", false) && attributes.value("neverExtractable", false) &&
           attributes.value("alwaysSensitive", false) && !attributes.value("extractable", true);
}

void checkOrigin(const std::string& origin) {
    if (origin.empty() || origin.size() > kMaxOrigin)
        throw Error(Reason::InvalidParams, "Origen inválido.");
}

void checkFileName(const std::string& fileName) {
    if (fileName.size() > kMaxFileName)
        throw Error(Reason::InvalidParams, "El nombre del archivo es demasiado largo.");
    // Shown to the person in the prompt: control characters could forge its layout.
    for (unsigned char c : fileName)
        if (c < 0x20 || c == 0x7f)
            throw Error(Reason::InvalidParams,
                        "El nombre del archivo contiene caracteres de control.");
}

}  // namespace firmante::renewal::support
