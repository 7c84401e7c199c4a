#include "firmante/renewal/RenewalManager.h"

#include <algorithm>
#include <initializer_list>
#include <string_view>

#include "Base64.h"
#include "RenewalJournal.h"
#include "RenewalStep.h"
#include "Timestamp.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Challenge.h"
#include "firmante/pkcs11/Cms.h"
#include "firmante/pkcs11/Csr.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/renewal/LetterCheck.h"

#ifdef FIRMANTE_RENEWAL_HAVE_SPDLOG
#include <spdlog/spdlog.h>
// The agent may register a "renewal" logger (file, stderr); otherwise the default one is used.
#define RENEWAL_LOG_INFO(...)                                                          \
    do {                                                                               \
        auto renewalLogger_ = spdlog::get("renewal");                                  \
        SPDLOG_LOGGER_INFO(renewalLogger_ ? renewalLogger_ : spdlog::default_logger(), \
                           __VA_ARGS__);                                               \
    } while (false)
#else
#define RENEWAL_LOG_INFO(...) ((void)0)
#endif

namespace firmante::renewal {

using json = nlohmann::json;
using pkcs11::Bytes;
using pkcs11::Error;
using pkcs11::Reason;

namespace {

constexpr int kJournalVersion = 1;
constexpr std::size_t kMinNonce = 16;
constexpr std::size_t kMaxNonce = 256;
constexpr std::size_t kMaxCertificateBytes = 64u * 1024u;
constexpr std::size_t kMaxChain = 8;
constexpr std::size_t kMaxFileName = 255;
constexpr std::size_t kMaxOrigin = 2048;

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
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

/// One unlock, one operation: the token is logged out however the operation ends, so a later
/// request cannot ride on this PIN entry.
class LogoutGuard {
  public:
    explicit LogoutGuard(pkcs11::Token& token) : token_(token) {}
    ~LogoutGuard() { token_.logout(); }
    LogoutGuard(const LogoutGuard&) = delete;
    LogoutGuard& operator=(const LogoutGuard&) = delete;

  private:
    pkcs11::Token& token_;
};

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

json keyAttributesJson(const pkcs11::KeyAttributes& a) {
    return {{"local", a.local},
            {"neverExtractable", a.neverExtractable},
            {"alwaysSensitive", a.alwaysSensitive},
            {"extractable", a.extractable}};
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

std::string newKeyLabel(const std::string& base, const std::string& renewalId) {
    // The label is how an interrupted begin finds its key again, so it carries the renewal id.
    return (base.empty() ? std::string("Firmante") : base) + " (renovación " + todayDate() + " " +
           renewalId.substr(0, 6) + ")";
}

}  // namespace

RenewalManager::RenewalManager(std::filesystem::path journalDir)
    : journal_(std::make_unique<RenewalJournal>(std::move(journalDir))) {
    RenewalJournal::Contents contents = journal_->load();
    renewals_ = std::move(contents.records);
    corrupt_ = std::move(contents.corrupt);
}

RenewalManager::~RenewalManager() = default;

json RenewalManager::record(const std::string& renewalId) const {
    if (!RenewalJournal::validId(renewalId))
        throw Error(Reason::InvalidParams, "Identificador de renovación inválido.");
    std::lock_guard lock(mutex_);
    if (const auto bad = corrupt_.find(renewalId); bad != corrupt_.end())
        throw Error(Reason::RenewalState, "El diario de la renovación " + renewalId +
                                              " está dañado (" + bad->second + "); revíselo en " +
                                              journal_->pathOf(renewalId).string() +
                                              ". No se borró nada.");
    const auto it = renewals_.find(renewalId);
    if (it == renewals_.end())
        throw Error(Reason::RenewalState, "No existe la renovación " + renewalId + ".");
    return it->second;
}

void RenewalManager::store(json rec) {
    const std::string id = rec.at("renewalId").get<std::string>();
    // Written before the in-memory copy changes and before the caller returns: what a client was
    // told has happened is on disk.
    journal_->save(rec);
    std::lock_guard lock(mutex_);
    renewals_[id] = std::move(rec);
}

json RenewalManager::begin(pkcs11::Token& token, Authorizer& authorizer, const std::string& origin,
                           const pkcs11::Uri& currentCertificate, pkcs11::KeyType keyType) {
    checkOrigin(origin);
    const pkcs11::TokenInfo info = token.info();
    // Found before any prompt: a wrong URI must not cost the person a PIN entry.
    pkcs11::CertificateInfo current = token.certificate(currentCertificate);
    const std::string oldCertUri = current.uri.str();

    pkcs11::Uri tokenUri;
    tokenUri.token = info.label;
    tokenUri.serial = info.serial;

    json rec;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, r] : renewals_) {
            if (r.value("state", std::string{}) == stepName(RenewalStep::Generating) &&
                r.value("origin", std::string{}) == origin &&
                r.at("token").value("label", std::string{}) == info.label &&
                r.at("token").value("serial", std::string{}) == info.serial &&
                r.at("oldCertificate").value("uri", std::string{}) == oldCertUri) {
                rec = r;
                break;
            }
        }
    }
    const bool resuming = !rec.is_null();
    if (!resuming) {
        const std::string now = nowTimestamp();
        rec = {{"format", "firmante-renewal-journal"},
               {"version", kJournalVersion},
               {"renewalId", randomUrlSafeId(16)},
               {"origin", origin},
               {"created", now},
               {"updated", now},
               {"token", {{"uri", tokenUri.str()}, {"label", info.label}, {"serial", info.serial}}},
               {"history", json::array()}};
    }
    const std::string renewalId = rec.at("renewalId").get<std::string>();

    OperationDescription what = describe(
        origin, "Generar una llave nueva en el token para renovar el certificado",
        "Generate a new key on the token to renew the certificate", info.label, current.label);
    what.check = "Certificado actual: " + current.subject;
    authorizer.unlock(token, what);
    LogoutGuard logout(token);

    // Private keys are only visible once logged in, so the pairing is read again now.
    current = token.certificate(currentCertificate);
    if (!current.keyUri)
        throw Error(Reason::KeyNotFound, "El certificado actual (" + current.subject +
                                             ") no tiene su llave privada en el token «" +
                                             info.label + "»; no se puede renovar desde aquí.");
    const pkcs11::KeyInfo oldKey =
        findKey(token, rec, current.keyUri->str(), "La llave del certificado actual");
    rec["oldCertificate"] = {{"uri", oldCertUri},
                             {"label", current.label},
                             {"keyUri", oldKey.uri.str()},
                             {"keyLabel", oldKey.label},
                             {"subject", current.subject},
                             {"serial", current.serialHex},
                             {"notAfter", formatTimestamp(current.notAfter)},
                             {"expired", current.expired},
                             {"spkiHex", pkcs11::spkiHex(current.spki)}};

    std::string label;
    if (resuming)
        label = rec.at("newKey").at("label").get<std::string>();
    else
        label = newKeyLabel(oldKey.label.empty() ? current.label : oldKey.label, renewalId);

    std::optional<pkcs11::KeyInfo> newKey;
    if (resuming) {
        for (auto& k : token.keys())
            if (k.label == label && k.id != oldKey.id) newKey = std::move(k);
    }
    if (!newKey) {
        // Journaled before the key exists: if the agent dies during generation, the label is
        // what finds the key again (rule 5: nothing on the token is ever lost track of).
        rec["newKey"] = {{"label", label}, {"keyType", std::string(pkcs11::keyTypeName(keyType))}};
        if (!resuming) advance(rec, RenewalStep::Generating);
        store(rec);
        newKey = token.generateKeyPair(keyType, label);
    }
    if (newKey->spki.empty())
        throw Error(Reason::Internal, "El token no mostró la llave pública de la llave nueva.");

    const pkcs11::X509Ptr oldX509 = pkcs11::decodeCertificate(current.der);
    const pkcs11::EvpPkeyPtr privateKey = token.privateKey(*newKey);
    const std::string csr =
        pkcs11::makeCsrPem(privateKey.get(), X509_get_subject_name(oldX509.get()));
    const std::string hex = pkcs11::spkiHex(newKey->spki);

    rec["newKey"] = {{"label", newKey->label},
                     {"uri", newKey->uri.str()},
                     {"id", pkcs11::toHex(newKey->id)},
                     {"keyType", newKey->algorithm},
                     {"spki", base64Encode(newKey->spki)},
                     {"spkiHex", hex},
                     {"attributes", keyAttributesJson(newKey->attributes)}};
    rec["csr"] = csr;
    advance(rec, RenewalStep::Begun);
    store(rec);
    RENEWAL_LOG_INFO("renewal {} begun on token '{}' for {}", renewalId, info.label, origin);

    return {{"renewalId", renewalId},
            {"uri", newKey->uri.str()},
            {"spki", base64Encode(newKey->spki)},
            {"spkiHex", hex},
            {"csr", csr},
            {"keyAttributes", keyAttributesJson(newKey->attributes)},
            {"keyType", newKey->algorithm}};
}

json RenewalManager::signLetter(pkcs11::Token& token, Authorizer& authorizer,
                                const std::string& origin, const std::string& renewalId,
                                const std::string& stage, std::span<const unsigned char> document,
                                const std::string& fileName) {
    checkOrigin(origin);
    if (stage != "acceptance" && stage != "terms")
        throw Error(Reason::InvalidParams, "stage debe ser \"acceptance\" o \"terms\".");
    if (document.size() > kMaxDocumentBytes)
        throw Error(Reason::TooLarge, "La carta excede el tamaño máximo permitido.");
    checkFileName(fileName);
    const bool acceptance = stage == "acceptance";

    json rec = record(renewalId);
    requireOrigin(rec, origin);
    requireStep(rec, {acceptance ? RenewalStep::Begun : RenewalStep::CertificateInstalled},
                acceptance ? "firmar la Carta de Aceptación de Renovación"
                           : "firmar la Carta de Términos y Condiciones");
    requireSameToken(token, rec);

    // Rule 4, before anything is shown or signed: the letter, as a viewer draws it, must state
    // the key this renewal generated (and, for the terms letter, the acceptance letter signed
    // before). Throws LetterMismatch.
    // Both letters may show the old key (the portal's terms letter does).
    LetterExpectation expected{rec.at("newKey").at("spkiHex").get<std::string>(),
                               rec.at("oldCertificate").value("spkiHex", std::string{}),
                               {}};
    if (!acceptance)
        expected.previousSha1 = rec.at("letters").at("acceptance").at("sha1").get<std::string>();
    const std::string check = checkRenewalLetter(document, expected);

    const std::string certUri = acceptance ? rec.at("oldCertificate").at("uri").get<std::string>()
                                           : rec.at("newCertificate").at("uri").get<std::string>();
    const pkcs11::CertificateInfo cert = findCertificate(
        token, rec, certUri, acceptance ? "El certificado actual" : "El certificado nuevo");
    const std::string keyUri = acceptance ? rec.at("oldCertificate").at("keyUri").get<std::string>()
                                          : rec.at("newKey").at("uri").get<std::string>();
    const std::string keyLabel = acceptance ? rec.at("oldCertificate").value("keyLabel", cert.label)
                                            : rec.at("newKey").at("label").get<std::string>();

    const Bytes documentSha256 = pkcs11::sha256(document);
    OperationDescription what =
        acceptance ? describe(origin, "Firmar la Carta de Aceptación de Renovación",
                              "Sign the Renewal Acceptance Letter", tokenLabelOf(rec), keyLabel)
                   : describe(origin, "Firmar la Carta de Términos y Condiciones",
                              "Sign the Terms and Conditions Letter", tokenLabelOf(rec), keyLabel);
    what.fileName = fileName;
    what.documentSha256Hex = pkcs11::toHex(documentSha256);
    what.check = check;
    // Issue 9 §2: a fingerprint the portal's page shows too, unlike the key's DER header.
    what.keyFingerprint =
        spkiFingerprint(base64Decode(rec.at("newKey").at("spki").get<std::string>()));
    authorizer.unlock(token, what);
    LogoutGuard logout(token);

    const pkcs11::KeyInfo key = findKey(
        token, rec, keyUri,
        acceptance ? "La llave del certificado actual" : "La llave nueva de esta renovación");
    if (acceptance) {
        // Accepting a renewal whose new key is gone would have the portal certify a key nobody
        // holds: stop here instead.
        (void)findKey(token, rec, rec.at("newKey").at("uri").get<std::string>(),
                      "La llave nueva de esta renovación");
    }
    const pkcs11::EvpPkeyPtr privateKey = token.privateKey(key);
    const pkcs11::X509Ptr x509 = pkcs11::decodeCertificate(cert.der);
    const pkcs11::CmsSignature cms = pkcs11::signDetached(privateKey.get(), x509.get(), document);

    rec["letters"][stage] = {{"fileName", fileName},
                             {"sha1", upper(pkcs11::toHex(pkcs11::sha1(document)))},
                             {"sha256", pkcs11::toHex(documentSha256)},
                             {"cmsSha256", pkcs11::toHex(pkcs11::sha256(cms.der))},
                             {"signer", cms.signerSubject},
                             {"signedAt", nowTimestamp()}};
    advance(rec, acceptance ? RenewalStep::AcceptanceSigned : RenewalStep::TermsSigned);
    store(rec);
    RENEWAL_LOG_INFO("renewal {}: {} letter signed", renewalId, stage);

    return {{"cms", base64Encode(cms.der)},
            {"documentSha256", pkcs11::toHex(documentSha256)},
            {"signer", cms.signerSubject}};
}

json RenewalManager::provePossession(pkcs11::Token& token, Authorizer& authorizer,
                                     const std::string& origin, const std::string& renewalId,
                                     std::span<const unsigned char> nonce) {
    checkOrigin(origin);
    if (nonce.size() < kMinNonce || nonce.size() > kMaxNonce)
        throw Error(Reason::InvalidParams, "nonce debe tener entre 16 y 256 bytes.");
    json rec = record(renewalId);
    requireOrigin(rec, origin);
    // Repeating it is harmless (a portal may retry with a fresh nonce) until the certificate is in.
    requireStep(rec, {RenewalStep::AcceptanceSigned, RenewalStep::PossessionProved},
                "demostrar la posesión de la llave nueva");
    requireSameToken(token, rec);

    const json& newKey = rec.at("newKey");
    OperationDescription what =
        describe(origin, "Demostrar al portal que la llave nueva está en su token",
                 "Prove to the portal that the new key is on your token", tokenLabelOf(rec),
                 newKey.at("label").get<std::string>());
    authorizer.unlock(token, what);
    LogoutGuard logout(token);
    const pkcs11::KeyInfo key = findKey(token, rec, newKey.at("uri").get<std::string>(),
                                        "La llave nueva de esta renovación");
    const pkcs11::EvpPkeyPtr privateKey = token.privateKey(key);
    const pkcs11::ChallengeSignature signature =
        pkcs11::signChallenge(privateKey.get(), origin, nonce);

    rec["possessionProved"] = nowTimestamp();
    if (stateOf(rec) == RenewalStep::AcceptanceSigned)
        advance(rec, RenewalStep::PossessionProved);
    else
        rec["updated"] = nowTimestamp();
    store(rec);

    return {{"signature", base64Encode(signature.signature)},
            {"algorithm", signature.algorithm},
            {"spki", newKey.at("spki")}};
}

json RenewalManager::installCertificate(pkcs11::Token& token, Authorizer& authorizer,
                                        const std::string& origin, const std::string& renewalId,
                                        std::span<const unsigned char> certificate,
                                        const std::vector<pkcs11::Bytes>& chain) {
    checkOrigin(origin);
    if (certificate.empty()) throw Error(Reason::InvalidParams, "Falta el certificado.");
    if (certificate.size() > kMaxCertificateBytes)
        throw Error(Reason::TooLarge, "El certificado excede el tamaño máximo permitido.");
    if (chain.size() > kMaxChain)
        throw Error(Reason::InvalidParams, "La cadena tiene demasiados certificados.");
    json rec = record(renewalId);
    requireOrigin(rec, origin);
    requireStep(rec, {RenewalStep::PossessionProved, RenewalStep::CertificateInstalled},
                "instalar el certificado nuevo");

    const pkcs11::CertificateInfo info = pkcs11::describeCertificate(certificate);
    const Bytes expected = base64Decode(rec.at("newKey").at("spki").get<std::string>());
    if (info.spki != expected)
        throw Error(Reason::CertificateMismatch,
                    "El certificado recibido (" + info.subject +
                        ") no corresponde a la llave nueva generada para esta renovación.");
    const std::string sha256 = pkcs11::toHex(pkcs11::sha256(info.der));
    if (stateOf(rec) == RenewalStep::CertificateInstalled &&
        rec.at("newCertificate").value("sha256", std::string{}) != sha256)
        throw Error(Reason::RenewalState,
                    "Esta renovación ya instaló otro certificado. Se espera: " +
                        std::string(expectedNext(RenewalStep::CertificateInstalled)) + ".");
    for (const auto& c : chain) {
        try {
            (void)pkcs11::decodeCertificate(c);
        } catch (const Error&) {
            throw Error(Reason::InvalidParams, "La cadena contiene un certificado ilegible.");
        }
    }
    requireSameToken(token, rec);

    const json& newKey = rec.at("newKey");
    OperationDescription what = describe(origin, "Guardar el certificado nuevo en su token",
                                         "Store the new certificate on your token",
                                         tokenLabelOf(rec), newKey.at("label").get<std::string>());
    what.check = "Certificado para " + info.subject + ", emitido por " + info.issuer +
                 ", vigente hasta " + formatTimestamp(info.notAfter) + ".";
    authorizer.unlock(token, what);
    LogoutGuard logout(token);
    (void)findKey(token, rec, newKey.at("uri").get<std::string>(),
                  "La llave nueva de esta renovación");
    // Storing the same certificate again returns the one already there (a retried install).
    const pkcs11::CertificateInfo stored =
        token.storeCertificate(certificate, newKey.at("label").get<std::string>());

    json result = {{"uri", stored.uri.str()},
                   {"subject", info.subject},
                   {"serial", info.serialHex},
                   {"notAfter", formatTimestamp(info.notAfter)}};
    rec["newCertificate"] = result;
    rec["newCertificate"]["sha256"] = sha256;
    rec["newCertificate"]["issuer"] = info.issuer;
    if (stateOf(rec) == RenewalStep::PossessionProved)
        advance(rec, RenewalStep::CertificateInstalled);
    else
        rec["updated"] = nowTimestamp();
    store(rec);
    RENEWAL_LOG_INFO("renewal {}: new certificate installed", renewalId);
    return result;
}

json RenewalManager::finish(pkcs11::Token& token, Authorizer& authorizer, const std::string& origin,
                            const std::string& renewalId, bool retireOld) {
    checkOrigin(origin);
    json rec = record(renewalId);
    requireOrigin(rec, origin);
    requireStep(rec, {RenewalStep::TermsSigned}, "terminar la renovación");

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
        authorizer.confirm(what);  // USER_CANCELLED: nothing deleted, finish can be retried
        if (!token.loggedIn()) {
            OperationDescription unlock = what;
            unlock.operation = "Eliminar del token el certificado anterior y su llave";
            unlock.operationEn = "Delete the previous certificate and its key from the token";
            authorizer.unlock(token, unlock);
        }
        LogoutGuard logout(token);
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
    RENEWAL_LOG_INFO("renewal {} finished (old retired: {})", renewalId, retired);
    return {{"done", true}, {"retired", retired}};
}

namespace {
json statusView(const json& rec) {
    json view = rec;
    view.erase("format");
    view.erase("version");
    if (const auto step = parseStep(rec.value("state", std::string{}))) {
        view["step"] = stepNumber(*step);
        view["stepName"] = std::string(stepDescription(*step));
        view["manualStep"] = manualStep(*step);
        view["next"] = std::string(expectedNext(*step));
    }
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
        if (const auto bad = corrupt_.find(*renewalId); bad != corrupt_.end())
            return corruptView(bad->first, bad->second, journal_->pathOf(bad->first));
        const auto it = renewals_.find(*renewalId);
        if (it == renewals_.end())
            throw Error(Reason::RenewalState, "No existe la renovación " + *renewalId + ".");
        return statusView(it->second);
    }
    json list = json::array();
    for (const auto& [id, rec] : renewals_) list.push_back(statusView(rec));
    for (const auto& [id, why] : corrupt_)
        list.push_back(corruptView(id, why, journal_->pathOf(id)));
    return {{"renewals", list}};
}

pkcs11::Uri RenewalManager::tokenOf(const std::string& renewalId) const {
    const json rec = record(renewalId);
    pkcs11::Uri uri;
    uri.token = rec.at("token").value("label", std::string{});
    uri.serial = rec.at("token").value("serial", std::string{});
    return uri;
}

}  // namespace firmante::renewal
