#include "firmante/agent/PromptAuthorizer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>

#include "firmante/agent/Logging.h"
#include "firmante/agent/PromptDetailsOf.h"
#include "firmante/agent/TokenRegistry.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/prompt/AssuanEscape.h"
#include "firmante/prompt/Language.h"
#include "firmante/prompt/PinentryPrompter.h"
#include "firmante/prompt/SafeText.h"

namespace firmante::agent {

namespace {

// Every field that comes from outside (the page's origin and file name, labels and subjects read
// from the token or a certificate) goes through this one helper before it is shown: escaped
// (prompt::safeText) and shortened to a documented length (docs/security.md). `operation` and
// `check` are composed by us but quote subjects and labels, so they are treated the same way.
// The letter check's boxes, bounded like every other field: at most kShownLetterBoxes (one per
// printed line; a 4096-bit key at 16 pairs a line takes 35), inside the page, none empty.
constexpr std::size_t kShownLetterBoxes = 256;
std::vector<renewal::LetterBox> shownBoxes(const std::vector<renewal::LetterBox>& boxes) {
    std::vector<renewal::LetterBox> out;
    const auto share = [](double v) { return std::isfinite(v) ? std::clamp(v, 0.0, 1.0) : 0.0; };
    for (const auto& b : boxes) {
        if (out.size() == kShownLetterBoxes) break;
        renewal::LetterBox s{b.shows, b.page, share(b.x0), share(b.y0), share(b.x1), share(b.y1)};
        if (b.page >= 0 && s.x1 > s.x0 && s.y1 > s.y0) out.push_back(s);
    }
    return out;
}

renewal::OperationDescription shownFields(const renewal::OperationDescription& what) {
    using prompt::safeText;
    renewal::OperationDescription out;
    out.origin = safeText(what.origin, prompt::kShownOrigin);
    out.operation = safeText(what.operation, 200);
    out.operationEn = safeText(what.operationEn, 200);
    if (what.fileName) {
        out.fileName = safeText(*what.fileName, prompt::kShownFileName, prompt::Shorten::Middle);
    }
    if (what.documentSha256Hex) out.documentSha256Hex = safeText(*what.documentSha256Hex, 64);
    out.tokenLabel = safeText(what.tokenLabel, 40);
    out.pinForEachSignature = what.pinForEachSignature;
    out.newKeyProvenanceUnconfirmed = what.newKeyProvenanceUnconfirmed;
    out.keyLabel = safeText(what.keyLabel, prompt::kShownLabel);
    if (what.check) {
        out.check = renewal::Bilingual{safeText(what.check->es, 2 * prompt::kShownSubject),
                                       safeText(what.check->en, 2 * prompt::kShownSubject)};
    }
    // Composed by us from the SPKI (16 groups of four hex digits); copied so it is not lost.
    if (what.keyFingerprint) out.keyFingerprint = safeText(*what.keyFingerprint, 80);
    for (const auto& d : what.documents) {
        out.documents.push_back(
            {safeText(d.fileName, prompt::kShownFileName, prompt::Shorten::Middle),
             safeText(d.sha256Hex, 64)});
    }
    out.action = what.action;
    out.renewalId = what.renewalId;
    out.letter = what.letter;  // bytes, rendered by the dialog; shared, not copied
    out.letterBoxes = shownBoxes(what.letterBoxes);
    return out;
}

// "Generar llave / Generate key": the pinentry button, both languages as every pinentry line.
std::string bothLanguages(const prompt::Bilingual& words) {
    return words.es + " / " + words.en;
}

// The plain texts a pinentry shows, from the structured form (one source for both prompts).
void plainButtons(prompt::PromptText& text) {
    text.ok = bothLanguages(text.details->accept);
    text.cancel = bothLanguages(text.details->refuse);
}

// The description in each language, with the same facts in both, from fields already made safe
// (shownFields): es-MX and English (pinentryDescription joins them). A batch lists its first
// `listed` documents, then how many more there are.
prompt::Bilingual describe(const renewal::OperationDescription& what, std::size_t listed) {
    std::string es = "Sitio: " + what.origin + "\n" + "Operación: " + what.operation + "\n";
    std::string en = "Site: " + what.origin + "\n" + "Operation: " + what.operationEn + "\n";
    if (what.fileName) {
        es += "Archivo: " + *what.fileName + "\n";
        en += "File: " + *what.fileName + "\n";
    }
    if (what.documentSha256Hex) {
        es += "SHA-256: " + *what.documentSha256Hex + "\n";
        en += "SHA-256: " + *what.documentSha256Hex + "\n";
    }
    if (!what.documents.empty()) {
        // Name and the SHA-256's first 16 hex digits per line: a batch's list is what the
        // person checks (docs/security.md).
        es += "Documentos:\n";
        en += "Documents:\n";
        const auto shown = std::min(listed, what.documents.size());
        for (std::size_t i = 0; i < shown; ++i) {
            const auto line = std::to_string(i + 1) + ". " + what.documents[i].fileName + " — " +
                              what.documents[i].sha256Hex.substr(0, 16) + "…\n";
            es += line;
            en += line;
        }
        if (const auto more = what.documents.size() - shown; more > 0) {
            es += "… y " + std::to_string(more) + " documento(s) más.\n";
            en += "… and " + std::to_string(more) + " more document(s).\n";
        }
    }
    es += "Dispositivo: " + what.tokenLabel + " — Llave: " + what.keyLabel + "\n";
    en += "Token: " + what.tokenLabel + " — Key: " + what.keyLabel + "\n";
    if (what.check) {
        es += "Verificación: " + what.check->es + "\n";
        en += "Check: " + what.check->en + "\n";
    }
    if (what.pinForEachSignature) {
        es += "Esta llave exige el PIN otra vez para cada firma; se pide de nuevo para esta.\n";
        en +=
            "This key requires the PIN again for each signature; it is asked again for this one.\n";
    }
    if (what.newKeyProvenanceUnconfirmed) {
        es +=
            "Advertencia: el dispositivo no confirma que la llave nueva se generó en él y nunca "
            "salió de él.\n";
        en +=
            "Warning: the token does not confirm that the new key was generated on it and never "
            "left it.\n";
    }
    if (what.keyFingerprint) {
        es += "Huella de la llave nueva (SHA-256): " + *what.keyFingerprint + "\n";
        en += "New key fingerprint (SHA-256): " + *what.keyFingerprint + "\n";
    }
    return {es, en};
}

bool fitsPinentry(const std::string& text) {
    return prompt::assuanEscape(text).size() <= prompt::kPinentryDescriptionBytes;
}

// What pinentry shows: es-MX first, the English under it (a person reads the first; support
// reads the second), `add` appending the caller's lines to each. An Assuan line holds less
// than a letter's text in both languages (the check's sentence, the fingerprint) or a batch's
// list: then the locale's language alone (prompt::languageFromEnvironment), with one line in
// the other saying how to read it there; and if a batch's list is still too long, its first
// documents and how many more, so that what follows the list (the token, the key, the warnings)
// is never the part pinentry loses. Cut (with "…") only when even that does not fit.
std::string pinentryDescription(const renewal::OperationDescription& untrusted,
                                const std::function<void(prompt::Bilingual&)>& add = {}) {
    const auto what = shownFields(untrusted);
    const auto blocksListing = [&](std::size_t listed) {
        auto blocks = describe(what, listed);
        if (add) add(blocks);
        return blocks;
    };
    const auto all = blocksListing(SIZE_MAX);
    if (auto both = all.es + "\n" + all.en; fitsPinentry(both)) return both;
    const bool english = prompt::languageFromEnvironment() == prompt::Language::English;
    const auto alone = [english](const prompt::Bilingual& blocks) {
        return english ? blocks.en +
                             "\nEspañol: con LC_ALL o LANG en es_MX.UTF-8 este aviso se muestra "
                             "en español."
                       : blocks.es +
                             "\nEnglish: with LC_ALL or LANG set to en_US.UTF-8 this prompt is "
                             "shown in English.";
    };
    std::string shown = alone(all);
    for (auto listed = what.documents.size(); !fitsPinentry(shown) && listed > 0; --listed)
        shown = alone(blocksListing(listed - 1));
    return shown;
}

}  // namespace

prompt::PromptText PromptAuthorizer::pinText(const renewal::OperationDescription& what,
                                             const pkcs11::TokenInfo& token) {
    prompt::PromptText text;
    text.title = "Firmante — PIN de " + prompt::safeText(token.label, 40);
    text.description = pinentryDescription(what, [&token](prompt::Bilingual& blocks) {
        if (!token.pinpad) return;
        // The PIN goes into the reader: askAndLogin asks the person to go on, then the reader.
        blocks.es += "\nEscriba el PIN en el teclado del lector.\n";
        blocks.en += "\nType the PIN on the reader's keypad.\n";
    });
    text.prompt = "PIN:";
    text.details = promptDetailsOf(shownFields(what), prompt::PromptKind::Pin, &token);
    plainButtons(text);
    if (text.details->warning) text.error = bothLanguages(*text.details->warning);
    return text;
}

prompt::PromptText PromptAuthorizer::signatureText(const renewal::OperationDescription& what) {
    prompt::PromptText text;
    text.title = "Firmante — Confirmar la firma / Confirm the signature";
    // Said under the facts in pinentry, and as the dialog's note.
    const prompt::Bilingual unlocked{
        "El token ya está desbloqueado para esta renovación: no se pide el PIN.",
        "The token is already unlocked for this renewal: no PIN is asked."};
    text.description = pinentryDescription(what, [&unlocked](prompt::Bilingual& blocks) {
        blocks.es += "\n" + unlocked.es + "\n";
        blocks.en += "\n" + unlocked.en + "\n";
    });
    const auto kind = what.letter ? prompt::PromptKind::Letter : prompt::PromptKind::Signature;
    text.details = promptDetailsOf(shownFields(what), kind);
    text.details->note = unlocked;
    plainButtons(text);
    return text;
}

void PromptAuthorizer::unlock(pkcs11::Token& token, const renewal::OperationDescription& what) {
    // Before anything can return: a kept login below asks no PIN now, but a CKA_ALWAYS_AUTHENTICATE
    // key still asks before each signature (issue 11 §4). Cleared by release() and by the worker.
    token.setContextLogin([this, what](pkcs11::Session& session) { contextLogin(session, what); });
    const auto info = token.info();
    const auto key = TokenRegistry::keyOf(info);
    if (holds_ && token.loggedIn()) {
        if (holds_->use(key, what.origin)) {
            // No PIN, but what you sign is what you see (DESIGN §3 rule 4): a document is still
            // shown and needs the person's yes.
            const bool signsDocuments = what.documentSha256Hex || !what.documents.empty();
            if (signsDocuments && !prompter_.confirm(signatureText(what))) {
                throw pkcs11::Error(pkcs11::Reason::UserCancelled, "refused by the person");
            }
            logger("prompt")->info("token {} already unlocked for this renewal",
                                   printable(info.label, 40));
            return;
        }
        // Kept for another site, or lapsed: not this request's to use.
        holds_->endToken(key);
        token.logout();
    }
    askAndLogin(
        info, pinText(what, info), [&token](pkcs11::Secret pin) { token.login(std::move(pin)); },
        [&token] { token.loginProtectedPath(); });
    if (holds_ && what.renewalId) holds_->hold(key, what.origin, *what.renewalId);
}

void PromptAuthorizer::nextSignatureShows(pkcs11::Token& token,
                                          const renewal::OperationDescription& what) {
    token.setContextLogin([this, what](pkcs11::Session& session) { contextLogin(session, what); });
}

void PromptAuthorizer::askAndLogin(const pkcs11::TokenInfo& info, prompt::PromptText text,
                                   const std::function<void(pkcs11::Secret)>& withPin,
                                   const std::function<void()>& onPinpad) {
    if (info.pinLocked) {
        throw pkcs11::Error(pkcs11::Reason::PinLocked,
                            "el PIN del dispositivo está bloqueado / the token's PIN is locked");
    }
    if (info.pinpad) {
        // The PIN goes into the reader, not into us: show the same facts (pinText said where to
        // type it) and let the person decide before the reader starts waiting for the PIN.
        if (!prompter_.confirm(text)) {
            throw pkcs11::Error(pkcs11::Reason::UserCancelled, "cancelled by the person");
        }
        onPinpad();
        return;
    }
    pkcs11::Secret pin = prompter_.askPin(text);
    // Only our own words: the operation text can quote a file name, and params are never logged.
    logger("prompt")->info("PIN entered on token {}", printable(info.label, 40));
    // Exactly one C_Login; a wrong PIN throws PinIncorrect with the token's tries hint and is
    // never retried here (the person decides whether to try again).
    withPin(std::move(pin));
}

void PromptAuthorizer::contextLogin(pkcs11::Session& session, renewal::OperationDescription what) {
    // The PIN again for one signature: one C_Login(CKU_CONTEXT_SPECIFIC), the prompt says why.
    what.pinForEachSignature = true;
    const auto info = session.module().tokenInfo(session.slot());
    askAndLogin(
        info, pinText(what, info),
        [&session](pkcs11::Secret pin) { session.contextLogin(std::move(pin)); },
        [&session] { session.contextLoginProtectedPath(); });
}

void PromptAuthorizer::release(pkcs11::Token& token) noexcept {
    token.setContextLogin({});
    try {
        if (holds_ && token.loggedIn() && holds_->held(TokenRegistry::keyOf(token.info()))) return;
    } catch (const std::exception&) {
        // No answer from the token: lock it.
    }
    token.logout();
}

void PromptAuthorizer::renewalEnded(pkcs11::Token& token, const std::string& renewalId) noexcept {
    token.setContextLogin({});
    if (holds_) holds_->endRenewal(renewalId);
    token.logout();
}

void PromptAuthorizer::confirm(const renewal::OperationDescription& what) {
    prompt::PromptText text;
    text.title = "Firmante — Confirmación / Confirmation";
    text.description = pinentryDescription(what);
    const auto kind = what.action == renewal::Action::Delete ? prompt::PromptKind::Destructive
                                                             : prompt::PromptKind::Confirmation;
    text.details = promptDetailsOf(shownFields(what), kind);
    plainButtons(text);
    if (!prompter_.confirm(text)) {
        throw pkcs11::Error(pkcs11::Reason::UserCancelled, "refused by the person");
    }
}

}  // namespace firmante::agent
