// renewal.finish and renewal.cancel: the two ways a renewal ends (DESIGN §3 rule 5).
#include "firmante/renewal/RenewalManager.h"

#include "RenewalJournal.h"
#include "RenewalStep.h"
#include "RenewalSupport.h"
#include "Timestamp.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Uri.h"

namespace firmante::renewal {

json RenewalManager::finish(pkcs11::Token& token, Authorizer& authorizer, const std::string& origin,
                            const std::string& renewalId, bool retireOld) {
    checkOrigin(origin);
    json rec = stepRecord(origin, renewalId, {RenewalStep::TermsSigned}, "terminar la renovación");

    bool retired = false;
    if (retireOld) {
        requireSameToken(token, rec);
        // Rule 5: the old pair goes only when the new one is in place.
        const pkcs11::CertificateInfo fresh =
            findCertificate(token, rec, rec.at("newCertificate").at("uri").get<std::string>(),
                            "El certificado nuevo");
        const json& old = rec.at("oldCertificate");
        OperationDescription what =
            describe(origin, "¿Eliminar del token el certificado anterior y su llave?",
                     "Delete the previous certificate and its key from the token?",
                     tokenLabelOf(rec), old.value("keyLabel", std::string{}));
        what.check = "Se eliminará el certificado " + old.value("subject", std::string{}) +
                     " (serie " + old.value("serial", std::string{}) +
                     "). El certificado nuevo, vigente hasta " + formatTimestamp(fresh.notAfter) +
                     ", queda en el token.";
        what.action = Action::Delete;
        // USER_CANCELLED: nothing deleted, finish can be retried.
        confirmAndUnlock(authorizer, token, what,
                         "Eliminar del token el certificado anterior y su llave",
                         "Delete the previous certificate and its key from the token", renewalId);
        ReleaseGuard release(authorizer, token);
        (void)findKey(token, rec, rec.at("newKey").at("uri").get<std::string>(),
                      "La llave nueva de esta renovación");
        // Either may already be gone when an earlier finish was interrupted half-way.
        try {
            token.deleteCertificate(pkcs11::Uri::parse(old.at("uri").get<std::string>()));
        } catch (const Error& e) {
            if (e.reason() != Reason::CertificateNotFound) throw;
        }
        try {
            token.deleteKey(pkcs11::Uri::parse(old.at("keyUri").get<std::string>()));
        } catch (const Error& e) {
            if (e.reason() != Reason::KeyNotFound) throw;
        }
        retired = true;
    }

    rec["retiredOld"] = retired;
    rec["finishedAt"] = nowTimestamp();
    advance(rec, RenewalStep::Finished);
    store(rec);
    // The token was kept unlocked for this renewal's steps only (issue 12 §3).
    authorizer.renewalEnded(token, renewalId);
    RENEWAL_LOG_INFO("renewal {} finished (old retired: {})", renewalId, retired);
    return {{"done", true}, {"retired", retired}};
}

json RenewalManager::cancel(pkcs11::Token& token, Authorizer& authorizer, const std::string& origin,
                            const std::string& renewalId) {
    checkOrigin(origin);
    json rec = record(renewalId);
    // The person's own CLI may clear a renewal a site abandoned; another site may not.
    if (origin != "local") requireOrigin(rec, origin);
    // Once the new certificate is on the token the new key is the working one (rule 5).
    requireStep(rec,
                {RenewalStep::Generating, RenewalStep::Begun, RenewalStep::AcceptanceSigned,
                 RenewalStep::PossessionProved},
                "cancelar la renovación");
    requireSameToken(token, rec);

    const json& newKey = rec.at("newKey");
    const std::string label = newKey.at("label").get<std::string>();
    const json& old = rec.at("oldCertificate");
    OperationDescription what = describe(
        origin, "¿Cancelar la renovación y borrar del token la llave nueva?",
        "Cancel the renewal and delete the new key from the token?", tokenLabelOf(rec), label);
    what.check = "Se borrará la llave nueva «" + label + "», que aún no tiene certificado. Su " +
                 "certificado actual (" + old.value("subject", std::string{}) +
                 ") y su llave quedan en el token.";
    what.action = Action::Delete;
    // USER_CANCELLED: nothing deleted, the renewal stays as it was.
    confirmAndUnlock(authorizer, token, what,
                     "Cancelar la renovación y borrar del token la llave nueva",
                     "Cancel the renewal and delete the new key from the token", renewalId);
    ReleaseGuard release(authorizer, token);

    // The current key is kept by its id, whatever labels say.
    pkcs11::Bytes oldKeyId;
    if (const auto keyUri = old.find("keyUri"); keyUri != old.end() && keyUri->is_string())
        oldKeyId = pkcs11::Uri::parse(keyUri->get<std::string>()).id.value_or(pkcs11::Bytes{});
    if (oldKeyId.empty())
        throw Error(Reason::Internal, "El diario de la renovación " + renewalId +
                                          " no identifica la llave actual; no se borró nada.");
    std::size_t removed = 0;
    if (const auto uri = newKey.find("uri"); uri != newKey.end() && uri->is_string()) {
        const pkcs11::Uri keyUri = pkcs11::Uri::parse(uri->get<std::string>());
        if (keyUri.id && *keyUri.id != oldKeyId) {
            try {
                token.deleteKey(keyUri);
                removed = 1;
            } catch (const Error& e) {
                if (e.reason() != Reason::KeyNotFound) throw;
            }
        }
    }
    removed += token.deleteKeyObjectsLabelled(label, {oldKeyId});

    rec["cancelledAt"] = nowTimestamp();
    advance(rec, RenewalStep::Cancelled);
    store(rec);
    authorizer.renewalEnded(token, renewalId);
    RENEWAL_LOG_INFO("renewal {} cancelled (new key removed: {})", renewalId, removed != 0);
    return {{"cancelled", true}, {"keyRemoved", removed != 0}};
}

}  // namespace firmante::renewal
