#include "PromptDialogTexts.h"

namespace firmante::desktop {

QString rowLabel(Row row, Language language) {
    const bool es = language == Language::Spanish;
    switch (row) {
        case Row::Site:
            return es ? "Sitio:" : "Site:";
        case Row::Operation:
            return es ? "Operación:" : "Operation:";
        case Row::File:
            return es ? "Archivo:" : "File:";
        case Row::Sha256:
            return "SHA-256:";
        case Row::Token:
            return es ? "Dispositivo:" : "Token:";
        case Row::Key:
            return es ? "Llave:" : "Key:";
        case Row::Check:
            return es ? "Verificación:" : "Check:";
        case Row::Fingerprint:
            return es ? "Huella de la llave nueva:" : "New key fingerprint:";
    }
    return {};
}

QString headingOf(const prompt::PromptDetails& d, Language language) {
    const bool es = language == Language::Spanish;
    const QString site = QString::fromStdString(d.site);
    const QString operation = QString::fromStdString(in(language, d.operation));
    const QString token = QString::fromStdString(d.token);
    switch (d.kind) {
        case prompt::PromptKind::SiteConsent:
            return es ? QString("¿Permitir que %1 use sus certificados?").arg(site)
                      : QString("Allow %1 to use your certificates?").arg(site);
        case prompt::PromptKind::Pin:
            if (d.site.empty()) return operation;  // a text that came without its fields
            if (d.pinpad) {
                return es ? QString("%1 pide usar «%2». Escriba el PIN en el lector.")
                                .arg(site, token)
                          : QString("%1 asks to use “%2”. Type the PIN on the reader.")
                                .arg(site, token);
            }
            return es ? QString("%1 pide su PIN de «%2».").arg(site, token)
                      : QString("%1 asks for your PIN of “%2”.").arg(site, token);
        case prompt::PromptKind::Letter:
            return es ? QString("Revise la carta antes de firmarla.")
                      : QString("Check the letter before you sign it.");
        case prompt::PromptKind::Signature:
            return es ? QString("¿Firmar con su certificado?")
                      : QString("Sign with your certificate?");
        case prompt::PromptKind::Destructive:
        case prompt::PromptKind::Confirmation:
            return operation;
    }
    return operation;
}

QString otherLanguageLabel(Language shown) {
    return shown == Language::Spanish ? "English" : "Español";
}

prompt::PromptDetails detailsOf(const prompt::PromptText& text, bool asksPin) {
    if (text.details) return *text.details;
    // Only the composed texts (already in both languages): shown as they are in either.
    prompt::PromptDetails d;
    d.kind = asksPin ? prompt::PromptKind::Pin : prompt::PromptKind::Confirmation;
    d.title = {text.title, text.title};
    d.operation = {text.description, text.description};
    d.accept = {text.ok, text.ok};
    d.refuse = {text.cancel, text.cancel};
    if (text.error) d.warning = prompt::Bilingual{*text.error, *text.error};
    return d;
}

}  // namespace firmante::desktop
