#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "firmante/pkcs11/Token.h"
#include "firmante/renewal/Bilingual.h"
#include "firmante/renewal/LetterCheck.h"

namespace firmante::renewal {

/// One document of a batch, as the person sees it listed.
struct ShownDocument {
    std::string fileName;
    std::string sha256Hex;  // lower-case hex
};

/// What the key or the token is used for: names the prompt's button ("Generar llave") and picks
/// the dialog (a letter is shown; a deletion defaults to the safe button).
enum class Action {
    Sign,              // a document or a batch ("Firmar")
    LogIn,             // auth.sign_challenge ("Iniciar sesión")
    GenerateKey,       // renewal.begin ("Generar llave")
    ProvePossession,   // renewal.prove_possession ("Demostrar")
    StoreCertificate,  // renewal.install_certificate ("Guardar certificado")
    SignLetter,        // renewal.sign_letter ("Firmar carta")
    Delete,            // renewal.finish retiring the old key, renewal.cancel ("Eliminar")
};

/// What the person is shown before a key is used (DESIGN §3 rule 4): every PIN or consent prompt
/// names who asks, what for, and — for a document — its file name and SHA-256.
struct OperationDescription {
    std::string origin;       // as the transport attests it: "https://…", "local"
    std::string operation;    // in words, es-MX: "Firmar la Carta de Aceptación de Renovación"
    std::string operationEn;  // the same in English
    std::optional<std::string> fileName;
    std::optional<std::string> documentSha256Hex;  // lower-case hex
    std::string tokenLabel;
    std::string keyLabel;
    // What was checked and what will happen (the letter check, the issuer, what is deleted),
    // shown to the person in both languages.
    std::optional<Bilingual> check;
    std::optional<std::string> keyFingerprint;  // spkiFingerprint of the new key (renewals)
    // The renewal this operation is a step of (renewal.* methods). The agent keeps the token
    // unlocked for the rest of that renewal, for its site only (issue 12 §3, docs/security.md).
    std::optional<std::string> renewalId;
    // documents.sign_batch: every document of the batch, in order (one prompt for all).
    std::vector<ShownDocument> documents;
    Action action = Action::Sign;
    // renewal.sign_letter: the letter as it will be signed (shown rendered), and where the letter
    // check found on it the new key's block and the previous letter's SHA-1 (checkRenewalLetter's
    // boxes of visible glyphs), which the dialog highlights.
    std::shared_ptr<const std::vector<unsigned char>> letter;
    std::vector<LetterBox> letterBoxes;
    // The key has CKA_ALWAYS_AUTHENTICATE: this prompt is the PIN asked again right before one
    // signature (a context-specific login), and says so.
    bool pinForEachSignature = false;
    // The renewal's new key: the token does not confirm it was generated there and never left.
    bool newKeyProvenanceUnconfirmed = false;
};

/// The agent's prompts, as the renewal logic needs them. Implemented by the agent core (pinentry
/// today, the tray UI later) and by tests. Called on the token's worker thread.
class Authorizer {
  public:
    virtual ~Authorizer() = default;
    /// Asks for the PIN (or the pinpad) showing `what`, and logs `token` in once with it. Also
    /// sets who is asked again before each signature with a CKA_ALWAYS_AUTHENTICATE key
    /// (Token::setContextLogin), even when no PIN is asked now. Throws
    /// pkcs11::Error(UserCancelled), (PinIncorrect) with the tries hint, (PinLocked). Never retries
    /// a wrong PIN.
    virtual void unlock(pkcs11::Token& token, const OperationDescription& what) = 0;
    /// Asks for consent without a PIN. Throws pkcs11::Error(UserCancelled) when refused.
    virtual void confirm(const OperationDescription& what) = 0;
    /// The signatures from now on sign `what` (one document of a batch unlock() showed whole):
    /// a CKA_ALWAYS_AUTHENTICATE key's per-signature PIN prompt names that document, not the
    /// batch. Keys made by Token::privateKey() after this call take it. Default: nothing to say.
    virtual void nextSignatureShows(pkcs11::Token& token, const OperationDescription& what) {
        (void)token;
        (void)what;
    }
    /// The operation unlock() served is over: logs `token` out, unless the agent's policy keeps
    /// it unlocked for the renewal the operation belongs to. Never throws.
    virtual void release(pkcs11::Token& token) noexcept {
        token.setContextLogin({});
        token.logout();
    }
    /// The renewal ended (finished or cancelled): nothing stays unlocked for it any longer, and
    /// `token` is logged out. Never throws.
    virtual void renewalEnded(pkcs11::Token& token, const std::string& renewalId) noexcept {
        (void)renewalId;
        token.logout();
    }
};

}  // namespace firmante::renewal
