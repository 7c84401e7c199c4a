// renewal.finish and renewal.cancel: the two ways a renewal ends (DESIGN §3 rule 5).
#include "firmante/renewal/RenewalManager.h"

#include "RenewalRecord.h"
#include "RenewalStep.h"
#include "RenewalSupport.h"
#include "StepContext.h"
#include "Timestamp.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Uri.h"

namespace firmante::renewal {

namespace {

/// Deletes what `uri` names; already gone is fine (an earlier finish interrupted half-way).
template <typename Delete>
void deleteIfThere(Delete&& remove, const std::string& uri, Reason gone) {
    try {
        remove(pkcs11::Uri::parse(uri));
    } catch (const Error& e) {
        if (e.reason() != gone) throw;
    }
}

}  // namespace

json RenewalManager::finish(pkcs11::Token& token, Authorizer& authorizer, const std::string& origin,
                            const std::string& renewalId, bool retireOld) {
    StepContext ctx = step(token, authorizer, origin, renewalId, {RenewalStep::TermsSigned},
                           "terminar la renovación");
    RenewalRecord& rec = ctx.record;

    bool retired = false;
    if (retireOld) {
        ctx.requireSameToken();
        // Rule 5: the old pair goes only when the new one is in place.
        const pkcs11::CertificateInfo fresh =
            ctx.findCertificate(rec.newCertificate.value().uri.value(), "El certificado nuevo");
        const RenewalRecord::OldCertificate& old = rec.oldCertificate;
        OperationDescription what =
            ctx.describe("¿Eliminar del token el certificado anterior y su llave?",
                         "Delete the previous certificate and its key from the token?",
                         old.keyLabel.value_or(""), Action::Delete);
        const std::string subject = old.subject.value_or(""), serial = old.serial.value_or("");
        const std::string until = formatTimestamp(fresh.notAfter);
        what.check = Bilingual{"Se eliminará el certificado " + subject + " (serie " + serial +
                                   "). El certificado nuevo, vigente hasta " + until +
                                   ", queda en el token.",
                               "The certificate " + subject + " (serial " + serial +
                                   ") will be deleted. The new certificate, valid until " + until +
                                   ", stays on the token."};
        // USER_CANCELLED: nothing deleted, finish can be retried.
        const ReleaseGuard release =
            ctx.confirmAndUnlock(what, "Eliminar del token el certificado anterior y su llave",
                                 "Delete the previous certificate and its key from the token");
        (void)ctx.findKey(rec.newKey.uri.value(), "La llave nueva de esta renovación");
        deleteIfThere([&](const pkcs11::Uri& uri) { token.deleteCertificate(uri); }, old.uri,
                      Reason::CertificateNotFound);
        deleteIfThere([&](const pkcs11::Uri& uri) { token.deleteKey(uri); }, old.keyUri.value(),
                      Reason::KeyNotFound);
        retired = true;
    }

    rec.retiredOld = retired;
    rec.finishedAt = nowTimestamp();
    rec.advance(RenewalStep::Finished);
    store(rec);
    // The token was kept unlocked for this renewal's steps only (issue 12 §3).
    ctx.ended();
    RENEWAL_LOG_INFO("renewal {} finished (old retired: {})", renewalId, retired);
    return {{"done", true}, {"retired", retired}};
}

json RenewalManager::cancel(pkcs11::Token& token, Authorizer& authorizer, const std::string& origin,
                            const std::string& renewalId) {
    // Once the new certificate is on the token the new key is the working one (rule 5).
    StepContext ctx = step(token, authorizer, origin, renewalId,
                           {RenewalStep::Generating, RenewalStep::Begun,
                            RenewalStep::AcceptanceSigned, RenewalStep::PossessionProved},
                           "cancelar la renovación", Caller::BeganItOrLocal);
    ctx.requireSameToken();
    RenewalRecord& rec = ctx.record;

    const std::string label = rec.newKey.label;
    OperationDescription what = ctx.describe(
        "¿Cancelar la renovación y borrar del token la llave nueva?",
        "Cancel the renewal and delete the new key from the token?", label, Action::Delete);
    const std::string current = rec.oldCertificate.subject.value_or("");
    what.check = Bilingual{"Se borrará la llave nueva «" + label +
                               "», que aún no tiene certificado. Su certificado actual (" +
                               current + ") y su llave quedan en el token.",
                           "The new key “" + label +
                               "”, which has no certificate yet, will be deleted. Your current "
                               "certificate (" +
                               current + ") and its key stay on the token."};
    // USER_CANCELLED: nothing deleted, the renewal stays as it was.
    const ReleaseGuard release =
        ctx.confirmAndUnlock(what, "Cancelar la renovación y borrar del token la llave nueva",
                             "Cancel the renewal and delete the new key from the token");

    // The current key is kept by its id, whatever labels say.
    pkcs11::Bytes oldKeyId;
    if (const auto& keyUri = rec.oldCertificate.keyUri)
        oldKeyId = pkcs11::Uri::parse(*keyUri).id.value_or(pkcs11::Bytes{});
    if (oldKeyId.empty())
        throw Error(Reason::Internal, "El diario de la renovación " + renewalId +
                                          " no identifica la llave actual; no se borró nada.");
    std::size_t removed = 0;
    if (const auto& uri = rec.newKey.uri) {
        const pkcs11::Uri keyUri = pkcs11::Uri::parse(*uri);
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

    rec.cancelledAt = nowTimestamp();
    rec.advance(RenewalStep::Cancelled);
    store(rec);
    ctx.ended();
    RENEWAL_LOG_INFO("renewal {} cancelled (new key removed: {})", renewalId, removed != 0);
    return {{"cancelled", true}, {"keyRemoved", removed != 0}};
}

}  // namespace firmante::renewal
