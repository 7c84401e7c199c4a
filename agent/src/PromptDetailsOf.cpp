#include "firmante/agent/PromptDetailsOf.h"

namespace firmante::agent {

prompt::Bilingual actionWords(renewal::Action action) {
    using renewal::Action;
    switch (action) {
        case Action::Sign:
            return {"Firmar", "Sign"};
        case Action::LogIn:
            return {"Iniciar sesión", "Log in"};
        case Action::GenerateKey:
            return {"Generar llave", "Generate key"};
        case Action::ProvePossession:
            return {"Usar la llave nueva", "Use the new key"};
        case Action::StoreCertificate:
            return {"Guardar certificado", "Store certificate"};
        case Action::SignLetter:
            return {"Firmar carta", "Sign letter"};
        case Action::Delete:
            return {"Eliminar", "Delete"};
    }
    return {"Aceptar", "Accept"};
}

std::optional<prompt::Bilingual> triesWarningOf(const pkcs11::TokenInfo& token) {
    if (token.pinFinalTry) {
        return prompt::Bilingual{
            "¡Atención! Es el último intento: un PIN incorrecto bloqueará el dispositivo.",
            "Warning: final try, a wrong PIN locks the token."};
    }
    if (token.pinCountLow) {
        return prompt::Bilingual{"Atención: ya se tecleó un PIN incorrecto; quedan pocos intentos.",
                                 "Warning: a wrong PIN was entered before; few tries are left."};
    }
    return std::nullopt;
}

prompt::PromptDetails promptDetailsOf(const renewal::OperationDescription& shown,
                                      prompt::PromptKind kind, const pkcs11::TokenInfo* token) {
    prompt::PromptDetails d;
    d.kind = kind;
    d.operation = {shown.operation, shown.operationEn};
    d.accept = actionWords(shown.action);
    d.site = shown.origin;
    d.fileName = shown.fileName;
    d.sha256Hex = shown.documentSha256Hex;
    d.token = shown.tokenLabel;
    d.key = shown.keyLabel;
    if (shown.check) d.check = prompt::Bilingual{shown.check->es, shown.check->en};
    d.keyFingerprint = shown.keyFingerprint;
    for (const auto& doc : shown.documents) d.documents.push_back({doc.fileName, doc.sha256Hex});
    d.letterPdf = shown.letter;
    for (const auto& b : shown.letterBoxes)
        d.letterBoxes.push_back({b.page, b.x0, b.y0, b.x1, b.y1});
    switch (kind) {
        case prompt::PromptKind::Pin:
            d.title = {"PIN de " + shown.tokenLabel, "PIN for " + shown.tokenLabel};
            break;
        case prompt::PromptKind::Signature:
        case prompt::PromptKind::Letter:
            d.title = {"Confirmar la firma", "Confirm the signature"};
            break;
        case prompt::PromptKind::Destructive:
            d.title = {"Confirmar la eliminación", "Confirm the deletion"};
            d.refuse = {"Conservar", "Keep"};
            break;
        default:
            d.title = {"Confirmación", "Confirmation"};
            break;
    }
    if (token) {
        d.warning = triesWarningOf(*token);
        d.pinpad = token->pinpad;
        if (d.pinpad) {
            d.accept = {"Continuar", "Continue"};
            d.note = prompt::Bilingual{"Escriba el PIN en el teclado del lector.",
                                       "Type the PIN on the reader's keypad."};
        }
    }
    return d;
}

}  // namespace firmante::agent
