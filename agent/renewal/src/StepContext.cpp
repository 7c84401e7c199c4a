#include "StepContext.h"

#include <algorithm>
#include <utility>

#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Uri.h"

namespace firmante::renewal {

StepContext::StepContext(pkcs11::Token& token, Authorizer& authorizer, std::string origin,
                         RenewalRecord record)
    : record(std::move(record)),
      token_(token),
      authorizer_(authorizer),
      origin_(std::move(origin)) {}

void StepContext::requireOrigin() const {
    // The other site's origin is not repeated: one portal should not learn where else a person
    // renews.
    if (record.origin != origin_)
        throw Error(Reason::OriginNotAllowed,
                    "Esta renovación la inició otro sitio; " + origin_ + " no puede continuarla.");
}

void StepContext::requireStep(std::initializer_list<RenewalStep> allowed,
                              std::string_view action) const {
    const RenewalStep current = record.state;
    if (std::find(allowed.begin(), allowed.end(), current) != allowed.end()) return;
    throw Error(Reason::RenewalState,
                "No se puede " + std::string(action) + " ahora: la renovación " + record.renewalId +
                    " está en el paso «" + std::string(stepDescription(current)) +
                    "». Se espera: " + std::string(expectedNext(current)) + ".");
}

void StepContext::requireSameToken() const {
    const pkcs11::TokenInfo info = token_.info();
    const auto& t = record.token;
    if (info.label != t.label || info.serial != t.serial)
        throw Error(Reason::TokenNotPresent, "La renovación " + record.renewalId +
                                                 " está en el token «" + t.label + "» (serie " +
                                                 t.serial + "); conecte ese token.");
}

OperationDescription StepContext::describe(std::string operation, std::string operationEn,
                                           std::string keyLabel, Action action) const {
    OperationDescription what;
    what.origin = origin_;
    what.operation = std::move(operation);
    what.operationEn = std::move(operationEn);
    what.tokenLabel = record.token.label;
    what.keyLabel = std::move(keyLabel);
    what.action = action;
    return what;
}

ReleaseGuard StepContext::unlock(OperationDescription what) {
    what.renewalId = record.renewalId;
    authorizer_.unlock(token_, what);
    return ReleaseGuard(authorizer_, token_);
}

ReleaseGuard StepContext::confirmAndUnlock(const OperationDescription& what, std::string operation,
                                           std::string operationEn) {
    authorizer_.confirm(what);
    OperationDescription unlocking = what;
    unlocking.operation = std::move(operation);
    unlocking.operationEn = std::move(operationEn);
    return unlock(std::move(unlocking));
}

void StepContext::ended() noexcept {
    authorizer_.renewalEnded(token_, record.renewalId);
}

pkcs11::KeyInfo StepContext::findKey(const std::string& uri, const std::string& what) const {
    try {
        return token_.key(pkcs11::Uri::parse(uri));
    } catch (const Error& e) {
        if (e.reason() != Reason::KeyNotFound) throw;
        throw Error(Reason::KeyNotFound, what + " (" + uri + ") ya no está en el token «" +
                                             record.token.label +
                                             "». La renovación no puede continuar con este token.");
    }
}

pkcs11::CertificateInfo StepContext::findCertificate(const std::string& uri,
                                                     const std::string& what) const {
    try {
        return token_.certificate(pkcs11::Uri::parse(uri));
    } catch (const Error& e) {
        if (e.reason() != Reason::CertificateNotFound) throw;
        throw Error(Reason::CertificateNotFound,
                    what + " (" + uri + ") ya no está en el token «" + record.token.label + "».");
    }
}

}  // namespace firmante::renewal
