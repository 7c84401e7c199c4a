#include "DoctorMessages.h"

#include <unordered_map>

namespace firmante::cli {

// Spanish (es-MX, "usted") first. Each fix says what to do in plain words and, where a command
// does it, the command.
const std::pair<const char*, const char*>* doctorText(std::string_view key) {
    static const std::unordered_map<std::string_view, std::pair<const char*, const char*>> t{
        {"doctor.mark.ok", {"[ OK ]", "[ OK ]"}},
        {"doctor.mark.warn", {"[AVISO]", "[WARN]"}},
        {"doctor.mark.fail", {"[FALLA]", "[FAIL]"}},
        {"doctor.fixPrefix", {"Qué hacer:", "What to do:"}},
        {"doctor.verdict.ok",
         {"Se puede firmar con este equipo.", "Signing can work on this computer."}},
        {"doctor.verdict.fail",
         {"Todavía no se puede firmar: corrija primero «{0}».",
          "Signing cannot work yet: fix «{0}» first."}},

        {"doctor.module.found",
         {"Módulo PKCS#11 {0} (de {1}): {2}", "PKCS#11 module {0} (from {1}): {2}"}},
        {"doctor.module.missing",
         {"el módulo PKCS#11 «{0}» (de {1}) no existe",
          "the PKCS#11 module «{0}» (from {1}) does "
          "not exist"}},
        {"doctor.module.missingFix",
         {"Corrija la ruta en {0} o quítela para que Firmante use el módulo de OpenSC "
          "(sudo apt install opensc-pkcs11).",
          "Correct the path in {0}, or remove it so that Firmante uses OpenSC's module "
          "(sudo apt install opensc-pkcs11)."}},
        {"doctor.module.none",
         {"no se encontró un módulo PKCS#11: {0}", "no PKCS#11 module was found: {0}"}},
        {"doctor.module.noneFix",
         {"Instale el módulo de su token (para la mayoría: sudo apt install opensc-pkcs11) o "
          "indique su ruta en FIRMANTE_MODULE o en \"module\" de ~/.config/firmante/config.json.",
          "Install your token's module (for most: sudo apt install opensc-pkcs11) or give its "
          "path in FIRMANTE_MODULE or in \"module\" of ~/.config/firmante/config.json."}},
        {"doctor.module.unloadable",
         {"el módulo «{0}» no se pudo cargar: {1}", "the module «{0}» could not be loaded: {1}"}},
        {"doctor.module.configFix",
         {"Corrija el archivo de configuración (debe ser un objeto JSON) o bórrelo.",
          "Correct the config file (it must be a JSON object) or delete it."}},

        {"doctor.pcscd.notNeeded",
         {"pcscd no hace falta para este módulo", "pcscd is not needed for this module"}},
        {"doctor.pcscd.running",
         {"pcscd está en ejecución (lector de tarjetas disponible)",
          "pcscd is running (card readers available)"}},
        {"doctor.pcscd.down",
         {"OpenSC necesita el servicio pcscd y no responde en {0}",
          "OpenSC needs the pcscd service and it does not answer on {0}"}},
        {"doctor.pcscd.fix",
         {"Instale y encienda el servicio de tarjetas: sudo apt install pcscd && sudo systemctl "
          "enable --now pcscd.socket",
          "Install and start the card service: sudo apt install pcscd && sudo systemctl enable "
          "--now pcscd.socket"}},

        {"doctor.tokens.present", {"{0} token(s): {1}", "{0} token(s): {1}"}},
        {"doctor.tokens.none", {"no hay ningún token conectado", "no token is present"}},
        {"doctor.tokens.noneFix",
         {"Conecte su token USB o inserte su tarjeta en el lector y vuelva a ejecutar «firmante "
          "doctor».",
          "Plug in your USB token or insert your card in the reader and run «firmante doctor» "
          "again."}},
        {"doctor.tokens.locked",
         {"el PIN del token «{0}» está bloqueado", "the PIN of token «{0}» is locked"}},
        {"doctor.tokens.lockedFix",
         {"Pida a quien le entregó el token que lo desbloquee con el PIN de administrador (SO).",
          "Ask whoever issued the token to unlock it with the security officer (SO) PIN."}},
        {"doctor.tokens.finalTryFix",
         {"Al token «{0}» le queda un solo intento de PIN: escríbalo con cuidado.",
          "Token «{0}» has one PIN try left: type it carefully."}},
        {"doctor.tokens.error",
         {"no se pudieron leer los tokens: {0}", "the tokens could not be read: {0}"}},

        {"doctor.journal.ok",
         {"la carpeta de renovaciones {0} se puede escribir",
          "the renewal folder {0} is writable"}},
        {"doctor.journal.readOnly",
         {"la carpeta {0} no se puede escribir", "the folder {0} is not writable"}},
        {"doctor.journal.notFolder",
         {"{0} no es una carpeta (ahí van las renovaciones)",
          "{0} is not a folder (renewals are kept there)"}},
        {"doctor.journal.fix",
         {"Sin esa carpeta una renovación interrumpida no se puede reanudar. Haga que {0} sea "
          "una carpeta suya: mv {0} {0}.viejo && mkdir -p {0}",
          "Without that folder an interrupted renewal cannot resume. Make {0} a folder of "
          "yours: mv {0} {0}.old && mkdir -p {0}"}},

        {"doctor.pdf.ok",
         {"el lector de cartas PDF (firmante-pdf) está instalado",
          "the PDF letter reader (firmante-pdf) is installed"}},
        {"doctor.pdf.missing",
         {"el lector de cartas PDF no se pudo cargar ({0}); sin él no se firma ninguna carta de "
          "renovación",
          "the PDF letter reader could not be loaded ({0}); without it no renewal letter is "
          "signed"}},
        {"doctor.pdf.fix",
         {"Reinstale Firmante: sudo apt-get install --reinstall firmante",
          "Reinstall Firmante: sudo apt-get install --reinstall firmante"}},

        {"doctor.agent.ok",
         {"firmante-agent {0} responde en {1} (módulo {2})",
          "firmante-agent {0} answers on {1} (module {2})"}},
        {"doctor.agent.notRunning",
         {"firmante-agent no está en ejecución ({0} no existe)",
          "firmante-agent is not running ({0} does not exist)"}},
        {"doctor.agent.notRunningFix",
         {"Se inicia solo cuando el navegador lo necesita. Para tenerlo listo desde el inicio de "
          "sesión: systemctl --user enable --now firmante-agent.socket",
          "It starts by itself when the browser needs it. To have it ready from login: "
          "systemctl --user enable --now firmante-agent.socket"}},
        {"doctor.agent.silent",
         {"firmante-agent no responde en {0} ({1})",
          "firmante-agent does not answer on {0} ({1})"}},
        {"doctor.agent.silentFix",
         {"Reinícielo: systemctl --user restart firmante-agent.socket firmante-agent (o cierre "
          "la sesión y vuelva a entrar). Si sigue igual, revise ~/.local/state/firmante/agent.log.",
          "Restart it: systemctl --user restart firmante-agent.socket firmante-agent (or log out "
          "and in again). If it persists, read ~/.local/state/firmante/agent.log."}},

        {"doctor.port.disabled",
         {"la conexión WebSocket está desactivada (FIRMANTE_WS_PORT=0)",
          "the WebSocket connection is disabled (FIRMANTE_WS_PORT=0)"}},
        {"doctor.port.auto",
         {"el agente elegirá un puerto libre al iniciar (FIRMANTE_WS_PORT=auto)",
          "the agent picks a free port when it starts (FIRMANTE_WS_PORT=auto)"}},
        {"doctor.port.envFix",
         {"Corrija FIRMANTE_WS_PORT: un número de puerto, 0 para desactivar o «auto».",
          "Correct FIRMANTE_WS_PORT: a port number, 0 to disable, or «auto»."}},
        {"doctor.port.agent",
         {"el puerto {0} es de firmante-agent (pid {1})",
          "port {0} belongs to firmante-agent "
          "(pid {1})"}},
        {"doctor.port.other",
         {"el puerto {0} lo ocupa otro programa: {1}", "port {0} is held by another program: {1}"}},
        {"doctor.port.otherFix",
         {"Un portal podría hablar con ese programa creyendo que es Firmante. Ciérrelo, o elija "
          "otro puerto para Firmante con FIRMANTE_WS_PORT (el portal debe conocerlo). Para ver "
          "quién lo usa: ss -ltnp 'sport = :{0}'",
          "A portal could talk to that program believing it is Firmante. Close it, or choose "
          "another port for Firmante with FIRMANTE_WS_PORT (the portal must know it). To see "
          "who uses it: ss -ltnp 'sport = :{0}'"}},
        {"doctor.port.agentWithout",
         {"el agente corre sin escuchar en el puerto {0}",
          "the agent runs without listening on port {0}"}},
        {"doctor.port.agentWithoutFix",
         {"Las páginas sin la extensión no podrán usar Firmante. Revise ~/.local/state/firmante/"
          "agent.log y reinicie el agente.",
          "Pages without the extension cannot use Firmante. Read ~/.local/state/firmante/"
          "agent.log and restart the agent."}},
        {"doctor.port.free",
         {"el puerto {0} está libre para el agente", "port {0} is free for the agent"}},

        {"doctor.manifest.ok", {"{0} encuentra a Firmante ({1})", "{0} finds Firmante ({1})"}},
        {"doctor.manifest.none",
         {"{0} está instalado pero Firmante no está registrado para él",
          "{0} is installed but Firmante is not registered for it"}},
        {"doctor.manifest.noneFix",
         {"Instale el paquete (sudo apt install ./firmante_*.deb) o registre el conector: "
          "/usr/share/firmante/native-messaging/register-host.sh",
          "Install the package (sudo apt install ./firmante_*.deb) or register the connector: "
          "/usr/share/firmante/native-messaging/register-host.sh"}},
        {"doctor.manifest.brokenFix",
         {"Borre ese archivo o vuelva a registrar el conector: /usr/share/firmante/"
          "native-messaging/register-host.sh (o reinstale: sudo apt install --reinstall firmante).",
          "Delete that file or register the connector again: /usr/share/firmante/"
          "native-messaging/register-host.sh (or reinstall: sudo apt install --reinstall "
          "firmante)."}},
        {"doctor.manifest.notJson",
         {"{0} no es un manifiesto JSON válido", "{0} is not a valid JSON manifest"}},
        {"doctor.manifest.wrongName",
         {"{0} no se llama org.firmante.agent", "{0} is not named org.firmante.agent"}},
        {"doctor.manifest.relativePath",
         {"{0} apunta a «{1}», que no es una ruta absoluta",
          "{0} points at «{1}», which is not an absolute path"}},
        {"doctor.manifest.missingHost",
         {"{0} apunta a {1}, que no existe o no es ejecutable",
          "{0} points at {1}, which does not exist or is not executable"}},
        {"doctor.manifest.noAllowed",
         {"{0} no autoriza ninguna extensión ({1} vacío)",
          "{0} allows no extension ({1} is empty)"}},
        {"doctor.browsers.none",
         {"no se encontró ningún navegador instalado", "no installed browser was found"}},
        {"doctor.browsers.noneFix",
         {"Firmante funciona con Firefox, Chromium, Google Chrome, Microsoft Edge y Brave "
          "(paquetes del sistema).",
          "Firmante works with Firefox, Chromium, Google Chrome, Microsoft Edge and Brave "
          "(system packages)."}},
        {"doctor.snap.firefox",
         {"Firefox está instalado como snap ({0})", "Firefox is installed as a snap ({0})"}},
        {"doctor.snap.firefoxFix",
         {"Funciona solo a través del portal WebExtensions de xdg-desktop-portal (Ubuntu 22.04 o "
          "posterior) y Firefox le preguntará si permite a Firmante; si no aparece, use el "
          "Firefox del sistema (.deb).",
          "It works only through xdg-desktop-portal's WebExtensions portal (Ubuntu 22.04 or "
          "later), and Firefox asks whether to allow Firmante; if it does not, use the system "
          "(.deb) Firefox."}},
        {"doctor.snap.chromium",
         {"Chromium está instalado como snap ({0})", "Chromium is installed as a snap ({0})"}},
        {"doctor.flatpak", {"hay un navegador Flatpak ({0})", "there is a Flatpak browser ({0})"}},
        {"doctor.sandbox.fix",
         {"Ese navegador no puede iniciar a Firmante desde su caja de arena. Use un navegador "
          "del sistema (.deb) o un portal que use la conexión WebSocket (sin extensión).",
          "That browser cannot start Firmante from its sandbox. Use a system (.deb) browser, or "
          "a portal that uses the WebSocket connection (no extension)."}},

        {"help.doctor",
         {"Uso: firmante doctor [--json]\nRevisa lo que hace falta para firmar: el módulo "
          "PKCS#11, pcscd, los tokens, la carpeta de renovaciones, el agente y su puerto "
          "WebSocket, y el registro en cada navegador instalado (también snap y flatpak). Cada "
          "problema viene con qué hacer. Termina con 0 cuando se puede firmar.\n",
          "Usage: firmante doctor [--json]\nChecks what signing needs: the PKCS#11 module, pcscd, "
          "the tokens, the renewal folder, the agent and its WebSocket port, and the "
          "registration in each installed browser (snap and flatpak too). Each problem comes "
          "with what to do. Exits 0 when signing can work.\n"}},
    };
    auto it = t.find(key);
    return it == t.end() ? nullptr : &it->second;
}

}  // namespace firmante::cli
