#include "RenewText.h"

#include <unordered_map>

#include "Messages.h"

namespace firmante::cli {
namespace {

const std::unordered_map<std::string_view, Text>& table() {
    static const std::unordered_map<std::string_view, Text> t{
        {"via.agent",
         {"Renovación contra {0} a través del agente firmante-agent (el agente pide el PIN y las "
          "confirmaciones en su propia ventana).",
          "Renewal against {0} through firmante-agent (the agent asks for the PIN and the "
          "confirmations in its own window)."}},
        {"via.direct",
         {"Renovación contra {0} directamente con el token «{1}».",
          "Renewal against {0} directly with token «{1}»."}},
        {"step1",
         {"Paso 1 — Ingreso con el certificado {0} (usuario {1}), vence {2}{3}",
          "Step 1 — Login with certificate {0} (user {1}), expires {2}{3}"}},
        {"expired", {" (caducado)", " (expired)"}},
        {"step2",
         {"Paso 2 — El portal indica que el certificado caducó; liga de renovación: {0}",
          "Step 2 — The portal says the certificate has expired; renewal link: {0}"}},
        {"step3",
         {"Paso 3 — Datos registrados: {0}, registro patronal {1}, RFC {2}; correo {3}{4}",
          "Step 3 — Data on file: {0}, employer registration {1}, RFC {2}; e-mail {3}{4}"}},
        {"emailChanged", {" (cambiado; antes {0})", " (changed; was {0})"}},
        {"step4",
         {"Paso 4 — Llave nueva {0} generada en el token (local: {1}, nunca extraíble: {2}); "
          "llave pública: {3}",
          "Step 4 — New {0} key generated on the token (local: {1}, never extractable: {2}); "
          "public key: {3}"}},
        {"step5",
         {"Paso 5 — Carta de aceptación «{0}», folio {1}, SHA-256 {2}",
          "Step 5 — Acceptance letter «{0}», folio {1}, SHA-256 {2}"}},
        {"step6",
         {"Paso 6 — Carta firmada con el certificado caducado y aceptada por el portal (firmante "
          "{0})",
          "Step 6 — Letter signed with the expired certificate and accepted by the portal "
          "(signer {0})"}},
        {"step7",
         {"Paso 7 — Correo «{0}» enviado a {1} (mensaje {2})",
          "Step 7 — E-mail «{0}» sent to {1} (message {2})"}},
        {"step8",
         {"Paso 8 — Liga del correo abierta: {0}", "Step 8 — Link from the e-mail opened: {0}"}},
        {"step9",
         {"Paso 9 — Posesión de la llave nueva probada; certificado nuevo {0}, válido de {1} a "
          "{2}, guardado en el token",
          "Step 9 — Possession of the new key proven; new certificate {0}, valid from {1} to {2}, "
          "stored on the token"}},
        {"step10",
         {"Paso 10 — Carta de términos y condiciones «{0}», folio {1}, SHA-256 {2}",
          "Step 10 — Terms and conditions letter «{0}», folio {1}, SHA-256 {2}"}},
        {"step11",
         {"Paso 11 — Carta firmada con el certificado nuevo y aceptada; el certificado anterior "
          "({0}) ya no es válido{1}",
          "Step 11 — Letter signed with the new certificate and accepted; the previous "
          "certificate ({0}) is no longer valid{1}"}},
        {"retired",
         {"; se eliminó del token junto con su llave",
          "; it was removed from the token with its key"}},
        {"kept", {"; se conserva en el token", "; it is kept on the token"}},
        {"step12",
         {"Paso 12 — Ingreso con el certificado nuevo {0}: {1}",
          "Step 12 — Login with the new certificate {0}: {1}"}},
        {"done",
         {"Renovación terminada: certificado nuevo {0} en el token (vence {1}).",
          "Renewal complete: new certificate {0} on the token (expires {1})."}},

        // Errors
        {"badPortal",
         {"--portal debe ser http://127.0.0.1:PUERTO, http://localhost:PUERTO o "
          "http://[::1]:PUERTO "
          "(el portal de referencia; no «{0}»)",
          "--portal must be http://127.0.0.1:PORT, http://localhost:PORT or http://[::1]:PORT "
          "(the reference portal; not «{0}»)"}},
        {"badKeyType", {"--key-type debe ser {1}, no «{0}»", "--key-type must be {1}, not «{0}»"}},
        {"or", {"o", "or"}},  // the last separator of a list
        {"retireAndKeep",
         {"--retire-old y --keep-old se excluyen",
          "--retire-old and --keep-old exclude each other"}},
        {"portalUnreachable",
         {"no se pudo hablar con el portal {0}: {1}", "cannot talk to the portal {0}: {1}"}},
        {"portalGarbage",
         {"el portal {0} respondió algo inesperado en {1}",
          "the portal {0} gave an unexpected answer at {1}"}},
        {"portalRefused",
         {"el portal rechazó el paso {0}: {1} ({2})", "the portal refused step {0}: {1} ({2})"}},
        {"noCertificate",
         {"no hay en el token un certificado con llave privada{0}; use --certificate URI",
          "no certificate with a private key on the token{0}; use --certificate URI"}},
        {"forUser", {" para el usuario {0}", " for user {0}"}},
        {"noUser",
         {"el certificado «{0}» no tiene UID; indique el usuario con --user",
          "certificate «{0}» has no UID; give the user with --user"}},
        {"stillValid",
         {"el certificado {0} sigue vigente (vence {1}); el portal no renueva un certificado "
          "vigente",
          "certificate {0} is still valid (expires {1}); the portal does not renew a valid "
          "certificate"}},
        {"notLoggedIn",
         {"el portal no aceptó el ingreso con el certificado nuevo ({0})",
          "the portal did not accept the login with the new certificate ({0})"}},
        {"noPin",
         {"el PIN del token «{0}» para renovar el certificado (se pide una vez para toda la "
          "renovación)",
          "the PIN of token «{0}» to renew the certificate (asked once for the whole renewal)"}},
        {"op.renew",
         {"renovar el certificado contra {0} (se usa en cada paso de esta renovación)",
          "renew the certificate against {0} (used at every step of this renewal)"}},
        {"retireNotConfirmed",
         {"eliminar el certificado anterior necesita --retire-old",
          "removing the previous certificate needs --retire-old"}},
    };
    return t;
}

}  // namespace

std::string renewText(std::string_view key, std::initializer_list<std::string> args) {
    auto it = table().find(key);
    if (it == table().end()) return tr(key, args);
    return render(it->second, args);
}

}  // namespace firmante::cli
