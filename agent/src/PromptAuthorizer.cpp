#include "firmante/agent/PromptAuthorizer.h"

#include "firmante/agent/Logging.h"
#include "firmante/pkcs11/Error.h"

namespace firmante::agent {

namespace {

std::string shown(const std::string& text, std::size_t max = 120) {
    if (text.size() <= max) return text;
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return text.substr(0, cut) + "…";
}

// es-MX first, the English under it (a person reads the first; support reads the second).
std::string describe(const renewal::OperationDescription& what) {
    std::string es = "Sitio: " + shown(what.origin) + "\n" + "Operación: " + what.operation + "\n";
    std::string en = "Site: " + shown(what.origin) + "\n" + "Operation: " + what.operationEn + "\n";
    if (what.fileName) {
        es += "Archivo: " + shown(*what.fileName) + "\n";
        en += "File: " + shown(*what.fileName) + "\n";
    }
    if (what.documentSha256Hex) {
        es += "SHA-256: " + *what.documentSha256Hex + "\n";
    }
    es += "Dispositivo: " + shown(what.tokenLabel, 40) + " — Llave: " + shown(what.keyLabel, 60) +
          "\n";
    en += "Token: " + shown(what.tokenLabel, 40) + " — Key: " + shown(what.keyLabel, 60) + "\n";
    if (what.check) {
        es += "Verificación: " + shown(*what.check, 200) + "\n";
    }
    if (what.keyFingerprint) {
        es += "Huella de la llave nueva (SHA-256): " + *what.keyFingerprint + "\n";
        en += "New key fingerprint (SHA-256): " + *what.keyFingerprint + "\n";
    }
    return es + "\n" + en;
}

std::optional<std::string> triesWarning(const pkcs11::TokenInfo& token) {
    if (token.pinFinalTry) {
        return "¡Atención! Es el último intento: un PIN incorrecto bloqueará el dispositivo. / "
               "Warning: final try, a wrong PIN locks the token.";
    }
    if (token.pinCountLow) {
        return "Atención: ya se tecleó un PIN incorrecto; quedan pocos intentos. / "
               "Warning: a wrong PIN was entered before; few tries are left.";
    }
    return std::nullopt;
}

}  // namespace

prompt::PromptText PromptAuthorizer::pinText(const renewal::OperationDescription& what,
                                             const pkcs11::TokenInfo& token) {
    prompt::PromptText text;
    text.title = "Firmante — PIN de " + shown(token.label, 40);
    text.description = describe(what);
    text.prompt = "PIN:";
    text.ok = "Firmar / Sign";
    text.cancel = "Cancelar / Cancel";
    text.error = triesWarning(token);
    return text;
}

void PromptAuthorizer::unlock(pkcs11::Token& token, const renewal::OperationDescription& what) {
    const auto info = token.info();
    if (info.pinLocked) {
        throw pkcs11::Error(pkcs11::Reason::PinLocked,
                            "el PIN del dispositivo está bloqueado / the token's PIN is locked");
    }
    auto text = pinText(what, info);
    if (info.pinpad) {
        // The PIN goes into the reader, not into us: show the same facts and let the person
        // decide before the reader starts waiting for the PIN.
        text.description +=
            "\nEscriba el PIN en el teclado del lector. / Type the PIN on the "
            "reader's keypad.";
        text.ok = "Continuar / Continue";
        if (!prompter_.confirm(text)) {
            throw pkcs11::Error(pkcs11::Reason::UserCancelled, "cancelled by the person");
        }
        token.loginProtectedPath();
        return;
    }
    pkcs11::Secret pin = prompter_.askPin(text);
    logger("prompt")->info("PIN entered for {} on token {}", what.operationEn, info.label);
    // Exactly one C_Login; a wrong PIN throws PinIncorrect with the token's tries hint and is
    // never retried here (the person decides whether to try again).
    token.login(std::move(pin));
}

void PromptAuthorizer::confirm(const renewal::OperationDescription& what) {
    prompt::PromptText text;
    text.title = "Firmante — Confirmación / Confirmation";
    text.description = describe(what);
    text.ok = "Aceptar / Accept";
    text.cancel = "Cancelar / Cancel";
    if (!prompter_.confirm(text)) {
        throw pkcs11::Error(pkcs11::Reason::UserCancelled, "refused by the person");
    }
}

}  // namespace firmante::agent
