#include "firmante/renewal/RenewalManager.h"

#include "Base64.h"
#include "KeyLabel.h"
#include "RenewalJournal.h"
#include "RenewalRecord.h"
#include "RenewalStep.h"
#include "RenewalSupport.h"
#include "StepContext.h"
#include "Timestamp.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Csr.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/views/Json.h"

namespace firmante::renewal {

struct RenewalManager::Renewals : RenewalJournal::Contents {};

RenewalManager::RenewalManager(std::filesystem::path journalDir)
    : journal_(std::make_unique<RenewalJournal>(std::move(journalDir))),
      renewals_(std::make_unique<Renewals>(Renewals{journal_->load()})) {}

RenewalManager::~RenewalManager() = default;

StepContext RenewalManager::step(pkcs11::Token& token, Authorizer& authorizer,
                                 const std::string& origin, const std::string& renewalId,
                                 std::initializer_list<RenewalStep> allowed,
                                 std::string_view action, Caller caller) const {
    checkOrigin(origin);
    StepContext ctx(token, authorizer, origin, record(renewalId));
    // The person's own CLI may clear a renewal a site abandoned; another site may not.
    if (caller != Caller::BeganItOrLocal || origin != "local") ctx.requireOrigin();
    ctx.requireStep(allowed, action);
    return ctx;
}

RenewalRecord RenewalManager::record(const std::string& renewalId) const {
    if (!RenewalJournal::validId(renewalId))
        throw Error(Reason::InvalidParams, "Identificador de renovación inválido.");
    std::lock_guard lock(mutex_);
    const auto& corrupt = renewals_->corrupt;
    if (const auto bad = corrupt.find(renewalId); bad != corrupt.end())
        throw Error(Reason::RenewalState, "El diario de la renovación " + renewalId +
                                              " está dañado (" + bad->second + "); revíselo en " +
                                              journal_->pathOf(renewalId).string() +
                                              ". No se borró nada.");
    const auto it = renewals_->records.find(renewalId);
    if (it == renewals_->records.end())
        throw Error(Reason::RenewalState, "No existe la renovación " + renewalId + ".");
    return it->second;
}

void RenewalManager::store(const RenewalRecord& rec) {
    // Written before the in-memory copy changes and before the caller returns: what a client was
    // told has happened is on disk.
    journal_->save(rec);
    std::lock_guard lock(mutex_);
    renewals_->records.insert_or_assign(rec.renewalId, rec);
}

json RenewalManager::begin(pkcs11::Token& token, Authorizer& authorizer, const std::string& origin,
                           const pkcs11::Uri& currentCertificate, pkcs11::KeyType keyType) {
    checkOrigin(origin);
    const pkcs11::TokenInfo info = token.info();
    // Found before any prompt: a wrong URI must not cost the person a PIN entry.
    pkcs11::CertificateInfo current = token.certificate(currentCertificate);
    const std::string oldCertUri = current.uri.str();

    std::optional<RenewalRecord> interrupted = interruptedBegin(origin, info, oldCertUri);
    const bool resuming = interrupted.has_value();
    if (!resuming) {
        pkcs11::Uri tokenUri;
        tokenUri.token = info.label;
        tokenUri.serial = info.serial;
        interrupted.emplace();
        RenewalRecord& fresh = *interrupted;
        fresh.renewalId = randomUrlSafeId(16);
        fresh.origin = origin;
        fresh.created = fresh.updated = nowTimestamp();
        fresh.token = {.uri = tokenUri.str(), .label = info.label, .serial = info.serial};
    }
    StepContext ctx(token, authorizer, origin, std::move(*interrupted));
    RenewalRecord& rec = ctx.record;
    const std::string renewalId = rec.renewalId;

    // The new key's label is settled (and its length checked) before the PIN is asked for, so no
    // label can fail generateKeyPair after the person typed it. Before login only the public half
    // shows the current key's label.
    std::string label;
    if (resuming) {
        label = rec.newKey.label;
    } else {
        const std::string previous =
            current.keyUri && current.keyUri->object ? *current.keyUri->object : current.label;
        label = renewalKeyLabel(previous, renewalId, todayDate());
    }

    OperationDescription what =
        ctx.describe("Generar una llave nueva en el token para renovar el certificado",
                     "Generate a new key on the token to renew the certificate", current.label,
                     Action::GenerateKey);
    what.check = Bilingual{"Certificado actual: " + current.subject,
                           "Current certificate: " + current.subject};
    token.requireKeyType(keyType);  // issue 11: refused before the PIN, with what the token offers
    const ReleaseGuard release = ctx.unlock(std::move(what));

    // Private keys are only visible once logged in, so the pairing is read again now.
    current = token.certificate(currentCertificate);
    if (!current.keyUri)
        throw Error(Reason::KeyNotFound, "El certificado actual (" + current.subject +
                                             ") no tiene su llave privada en el token «" +
                                             info.label + "»; no se puede renovar desde aquí.");
    const pkcs11::KeyInfo oldKey =
        ctx.findKey(current.keyUri->str(), "La llave del certificado actual");
    rec.oldCertificate = {.uri = oldCertUri,
                          .label = current.label,
                          .keyUri = oldKey.uri.str(),
                          .keyLabel = oldKey.label,
                          .subject = current.subject,
                          .serial = current.serialHex,
                          .notAfter = formatTimestamp(current.notAfter),
                          .expired = current.expired,
                          .spkiHex = pkcs11::spkiHex(current.spki),
                          .der = base64Encode(current.der)};

    std::optional<pkcs11::KeyInfo> newKey;
    if (resuming) newKey = recoverInterruptedKey(token, label, oldKey);
    if (!newKey) {
        // Rule 5 and issue 9 §7: the intent (state "generating" and the label, which carries the
        // renewal id) is on disk before C_GenerateKeyPair, so a crash anywhere from here on
        // leaves a key that recoverInterruptedKey or cancel finds by that label.
        rec.newKey = {.label = label, .keyType = std::string(pkcs11::keyTypeName(keyType))};
        if (!resuming) rec.advance(RenewalStep::Generating);
        store(rec);
        newKey = token.generateKeyPair(keyType, label);
    }

    if (requireProvenance_ && !newKey->attributes.provenanceConfirmed()) {
        // Issue 11 §5, config renewal.requireConfirmedProvenance. The key is this renewal's own
        // (its label carries the renewal id): taken back before anything was signed with it; the
        // current key is kept by its id.
        const auto removed = token.deleteKeyObjectsLabelled(label, {oldKey.id});
        rec.newKeyRemoved = removed > 0;  // as the cancel path: say what really happened
        rec.newKey = {.label = label,
                      .keyType = newKey->algorithm,
                      .attributes = views::keyAttributesJson(newKey->attributes)};
        rec.cancelledAt = nowTimestamp();
        rec.cancelReason = protocol::words::KeyProvenanceUnconfirmed;
        rec.advance(RenewalStep::Cancelled);
        store(rec);
        ctx.ended();
        RENEWAL_LOG_INFO("renewal {} refused: the token does not confirm the new key's provenance",
                         renewalId);
        throw Error(
            Reason::KeyProvenanceUnconfirmed,
            "La configuración del agente exige llaves de procedencia confirmada. " +
                views::provenanceWords(newKey->attributes) +
                (removed > 0 ? " Se borró la llave nueva; su certificado actual sigue en "
                               "el token. / The agent's configuration requires keys of "
                               "confirmed provenance; the new key was deleted and the "
                               "current certificate is untouched."
                             : " No se encontró la llave nueva para borrarla (etiqueta " + label +
                                   "); su certificado actual sigue en el token. / The "
                                   "new key could not be found to delete it; the "
                                   "current certificate is untouched."));
    }

    const pkcs11::X509Ptr oldX509 = pkcs11::decodeCertificate(current.der);
    const pkcs11::EvpPkeyPtr privateKey = token.privateKey(*newKey);
    const std::string csr =
        pkcs11::makeCsrPem(privateKey.get(), X509_get_subject_name(oldX509.get()));
    const std::string hex = pkcs11::spkiHex(newKey->spki);

    rec.newKey = {.label = newKey->label,
                  .keyType = newKey->algorithm,
                  .uri = newKey->uri.str(),
                  .id = pkcs11::toHex(newKey->id),
                  .spki = base64Encode(newKey->spki),
                  .spkiHex = hex,
                  .attributes = views::keyAttributesJson(newKey->attributes)};
    rec.csr = csr;
    rec.advance(RenewalStep::Begun);
    store(rec);
    RENEWAL_LOG_INFO("renewal {} begun on token '{}' for {}", renewalId, info.label, origin);

    return {{"renewalId", renewalId},
            {"uri", newKey->uri.str()},
            {"spki", base64Encode(newKey->spki)},
            {"spkiHex", hex},
            {"csr", csr},
            {"keyAttributes", views::keyAttributesJson(newKey->attributes)},
            {"keyType", newKey->algorithm}};
}

std::optional<RenewalRecord> RenewalManager::interruptedBegin(const std::string& origin,
                                                              const pkcs11::TokenInfo& info,
                                                              const std::string& oldCertUri) const {
    std::lock_guard lock(mutex_);
    for (const auto& [id, r] : renewals_->records) {
        if (r.state == RenewalStep::Generating && r.origin == origin &&
            r.token.label == info.label && r.token.serial == info.serial &&
            r.oldCertificate.uri == oldCertUri)
            return r;
    }
    return std::nullopt;
}

std::optional<pkcs11::KeyInfo> RenewalManager::recoverInterruptedKey(
    pkcs11::Token& token, const std::string& label, const pkcs11::KeyInfo& oldKey) {
    // A key whose generation completed (CKA_ID set on both halves, so the public half is found
    // and gives the SPKI) is the renewal's key: keep it, never make a second one.
    std::optional<pkcs11::KeyInfo> complete;
    for (auto& k : token.keys())
        if (k.label == label && !k.id.empty() && k.id != oldKey.id && !k.spki.empty())
            complete = std::move(k);
    // Anything else under the renewal's label is the remains of an interrupted generation: a
    // half without CKA_ID, or one half only. It pairs with nothing; it goes.
    const std::size_t removed = token.deleteKeyObjectsLabelled(
        label, complete ? std::vector<pkcs11::Bytes>{complete->id, oldKey.id}
                        : std::vector<pkcs11::Bytes>{oldKey.id});
    if (removed != 0)
        RENEWAL_LOG_INFO("removed {} key objects left by an interrupted key generation", removed);
    return complete;
}

namespace {
/// renewal.status of one renewal: its journal as toJson writes it, without the file's own
/// members (format, version), with where it stands in words.
json statusView(const RenewalRecord& rec) {
    json view = rec.toJson();
    view.erase("format");
    view.erase("version");
    view["step"] = stepNumber(rec.state);
    view["stepName"] = std::string(stepDescription(rec.state));
    view["manualStep"] = manualStep(rec.state);
    view["next"] = std::string(expectedNext(rec.state));
    return view;
}

json corruptView(const std::string& id, const std::string& why, const std::filesystem::path& file) {
    return {{"renewalId", id}, {"state", "corrupt"}, {"error", why}, {"file", file.string()}};
}
}  // namespace

json RenewalManager::status(const std::optional<std::string>& renewalId) const {
    std::lock_guard lock(mutex_);
    if (renewalId) {
        if (!RenewalJournal::validId(*renewalId))
            throw Error(Reason::InvalidParams, "Identificador de renovación inválido.");
        const auto& corrupt = renewals_->corrupt;
        if (const auto bad = corrupt.find(*renewalId); bad != corrupt.end())
            return corruptView(bad->first, bad->second, journal_->pathOf(bad->first));
        const auto it = renewals_->records.find(*renewalId);
        if (it == renewals_->records.end())
            throw Error(Reason::RenewalState, "No existe la renovación " + *renewalId + ".");
        return statusView(it->second);
    }
    json list = json::array();
    for (const auto& [id, rec] : renewals_->records) list.push_back(statusView(rec));
    for (const auto& [id, why] : renewals_->corrupt)
        list.push_back(corruptView(id, why, journal_->pathOf(id)));
    return {{"renewals", list}};
}

std::vector<std::string> RenewalManager::unfinished() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (const auto& [id, rec] : renewals_->records) {
        if (rec.state != RenewalStep::Finished && rec.state != RenewalStep::Cancelled)
            ids.push_back(id);
    }
    return ids;
}

pkcs11::Uri RenewalManager::tokenOf(const std::string& renewalId) const {
    const RenewalRecord rec = record(renewalId);
    pkcs11::Uri uri;
    uri.token = rec.token.label;
    uri.serial = rec.token.serial;
    return uri;
}

}  // namespace firmante::renewal
