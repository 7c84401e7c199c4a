#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace firmante::prompt {

/// What a question is for; a dialog picks its layout and its default button from it.
enum class PromptKind {
    Pin,           // a PIN for a key (or the reader's PIN pad: PromptDetails::pinpad)
    SiteConsent,   // a site not seen before asks to use the certificates
    Signature,     // a document signature on a token already unlocked for this renewal
    Letter,        // a renewal letter (renewal.sign_letter): the letter is shown
    Destructive,   // deletes something from the token: the safe button is the default
    Confirmation,  // any other yes/no question
};

/// One text in both languages; a dialog shows one of them, never both at once.
struct Bilingual {
    std::string es;  // es-MX, "usted"
    std::string en;
};

/// One document of a batch as it is listed (already sanitised).
struct ListedDocument {
    std::string fileName;
    std::string sha256Hex;
};

/// A rectangle on a page of a document shown: page (0-based), and the corners as shares (0–1) of
/// the page's width and height as it is drawn, from its top-left corner.
struct PageBox {
    int page = 0;
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    bool operator==(const PageBox&) const = default;
};

/// The facts of a question as fields, for a dialog that lays them out itself (the Qt dialogs).
/// Every string here was sanitised by the composer (safeText): a Prompter only displays it.
struct PromptDetails {
    PromptKind kind = PromptKind::Confirmation;
    Bilingual title;
    Bilingual operation;  // in words: "Firmar la Carta de Aceptación de Renovación"
    Bilingual accept;     // the button named for the action: "Generar llave" / "Generate key"
    Bilingual refuse{"Cancelar", "Cancel"};
    std::string site;  // the origin as the transport attests it
    std::optional<std::string> fileName;
    std::optional<std::string> sha256Hex;
    std::string token;
    std::string key;
    /// The result of a check (letter, issuer, what will be deleted), in both languages.
    std::optional<Bilingual> check;
    std::optional<std::string> keyFingerprint;  // the new key's, as the portal shows it
    std::vector<ListedDocument> documents;      // documents.sign_batch
    std::optional<Bilingual> warning;           // few PIN tries left, or the final one
    std::optional<Bilingual> note;              // e.g. "already unlocked for this renewal"
    bool pinpad = false;                        // the PIN goes into the reader, not the dialog
    /// renewal.sign_letter: the letter's bytes (shared with the request, never copied per dialog)
    /// and where the letter check found the new key's block and the previous letter's SHA-1 on
    /// it (the visible glyphs it read, one box per printed line), highlighted by the dialog.
    std::shared_ptr<const std::vector<unsigned char>> letterPdf;
    std::vector<PageBox> letterBoxes;
};

/// Everything a prompt window shows. The plain texts are composed for a text-only prompt
/// (pinentry: es-MX first, English under it); `details` carries the same facts as fields.
struct PromptText {
    std::string title;
    /// Several lines: who asks, what for, the document and its SHA-256, the token and key.
    std::string description;
    /// The label next to the PIN field ("PIN:"); unused by confirm().
    std::string prompt = "PIN:";
    std::string ok = "Aceptar / OK";
    std::string cancel = "Cancelar / Cancel";
    /// A warning shown prominently (remaining tries), if any.
    std::optional<std::string> error;
    /// The structured form, when the composer filled it (every prompt of the agent does).
    std::optional<PromptDetails> details;
};

}  // namespace firmante::prompt
