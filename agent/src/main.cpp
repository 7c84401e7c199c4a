#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>

#include "firmante/agent/Agent.h"
#include "firmante/agent/Version.h"
#include "firmante/prompt/Language.h"

#ifdef FIRMANTE_WITH_DESKTOP
#include "firmante/desktop/DesktopModule.h"
#include "firmante/desktop/SessionMode.h"
#include "firmante/protocol/OwnModule.h"
#endif

namespace {

// The prompts' and dialogs' language rule (firmante/prompt/Language.h).
bool english() {
    return firmante::prompt::languageFromEnvironment() == firmante::prompt::Language::English;
}

// The source of firmante-agent(1) as well (installer/man/make-manpage.sh).
const char* helpText() {
    if (english())
        return "Usage: firmante-agent [--tray | --version | --help]\n"
               "\n"
               "The local Firmante agent: it owns the PKCS#11 token and answers JSON-RPC requests\n"
               "from the CLI, the browser's native messaging host (firmante-nmhost) and pages on\n"
               "the loopback WebSocket. It asks for the PIN and for consent in its own prompt\n"
               "(pinentry), never through a request. One agent runs per user.\n"
               "\n"
               "In a graphical session (DISPLAY or WAYLAND_DISPLAY) it shows its own windows\n"
               "instead of pinentry, and an icon in the desktop's tray (tokens, certificates\n"
               "and their expiry, allowed sites, recent activity, the log, quit), unless\n"
               "FIRMANTE_PINENTRY is set; --tray asks for them.\n"
               "\n"
               "It is started by firmante-agent.socket (systemd user unit; the listening socket\n"
               "is handed over with LISTEN_FDS), by the native host when a browser needs it, or\n"
               "by hand. It stops on SIGTERM or SIGINT.\n"
               "\n"
               "Environment:\n"
               "  FIRMANTE_SOCKET    socket path (default $XDG_RUNTIME_DIR/firmante/agent.sock)\n"
               "  FIRMANTE_CONFIG    config file (default ~/.config/firmante/config.json);\n"
               "                     sites approved for every user: /etc/firmante/config.json\n"
               "  FIRMANTE_MODULE    PKCS#11 module (else the config, else p11-kit, OpenSC first)\n"
               "  FIRMANTE_WS_PORT   WebSocket port on 127.0.0.1 (default 31780, 0 = off)\n"
               "  FIRMANTE_PINENTRY  pinentry program for the PIN prompt\n"
               "  XDG_STATE_HOME     log and renewal journal (default ~/.local/state/firmante)\n"
               "\n"
               "Exit status: 0 after a clean stop, 2 when an agent already runs for this user,\n"
               "1 for any other start-up failure.\n";
    return "Uso: firmante-agent [--tray | --version | --help]\n"
           "\n"
           "El agente local de Firmante: tiene el token PKCS#11 y responde solicitudes JSON-RPC\n"
           "del CLI, del conector del navegador (firmante-nmhost) y de páginas por el WebSocket\n"
           "local. Pide el PIN y la autorización en su propia ventana (pinentry), nunca en una\n"
           "solicitud. Corre un agente por usuario.\n"
           "\n"
           "En una sesión gráfica (DISPLAY o WAYLAND_DISPLAY) muestra sus propias ventanas en\n"
           "lugar de pinentry, y un ícono en la bandeja del escritorio (tokens, certificados y\n"
           "su vigencia, sitios permitidos, actividad reciente, la bitácora, salir), salvo que\n"
           "FIRMANTE_PINENTRY esté definida; --tray los pide.\n"
           "\n"
           "Lo inicia firmante-agent.socket (unidad de usuario de systemd; recibe el socket con\n"
           "LISTEN_FDS), el conector cuando el navegador lo necesita, o usted a mano. Se detiene\n"
           "con SIGTERM o SIGINT.\n"
           "\n"
           "Variables de entorno:\n"
           "  FIRMANTE_SOCKET    ruta del socket (por omisión "
           "$XDG_RUNTIME_DIR/firmante/agent.sock)\n"
           "  FIRMANTE_CONFIG    configuración (por omisión ~/.config/firmante/config.json);\n"
           "                     sitios aprobados para todos: /etc/firmante/config.json\n"
           "  FIRMANTE_MODULE    módulo PKCS#11 (si no: la configuración, luego p11-kit, OpenSC "
           "primero)\n"
           "  FIRMANTE_WS_PORT   puerto WebSocket en 127.0.0.1 (por omisión 31780, 0 = apagado)\n"
           "  FIRMANTE_PINENTRY  programa pinentry para pedir el PIN\n"
           "  XDG_STATE_HOME     bitácora y renovaciones (por omisión ~/.local/state/firmante)\n"
           "\n"
           "Código de salida: 0 al detenerse bien, 2 si ya corre un agente de este usuario,\n"
           "1 ante cualquier otra falla al iniciar.\n";
}

#ifdef FIRMANTE_WITH_DESKTOP
// Firmante's own dialogs and the tray live in firmante-desktop.so with Qt, opened only here: a
// headless agent never loads Qt. Null (and said on stderr) when the module cannot be opened; the
// agent then asks through pinentry, as it would without a display.
FirmanteDesktopMainFn openDesktop() {
    firmante::protocol::OwnModule own =
        firmante::protocol::openOwnModule(FIRMANTE_DESKTOP_BUILD_DIR, FIRMANTE_DESKTOP_MODULE_BUILD,
                                          FIRMANTE_DESKTOP_MODULE_INSTALLED);
    auto entry = own.function<FirmanteDesktopMainFn>("firmante_desktop_main_v1");
    if (!entry)
        std::cerr << "firmante-agent: sin ventanas propias, se usa pinentry / no own windows, "
                     "using pinentry ("
                  << own.problem << ")\n";
    return entry;
}
#endif

}  // namespace

int main(int argc, char** argv) {
    bool tray = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--tray") == 0) {
            tray = true;
            continue;
        }
        if (std::strcmp(argv[i], "--version") == 0) {
            std::cout << "firmante-agent " << firmante::agent::kAgentVersion << "\n";
            return 0;
        }
        const bool help = std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0;
        (help ? std::cout : std::cerr) << helpText();
        return help ? 0 : 1;
    }
    // A client that hangs up mid-answer, or a pinentry that dies, must not kill the agent.
    std::signal(SIGPIPE, SIG_IGN);
#ifdef FIRMANTE_WITH_DESKTOP
    std::string why;
    if (firmante::desktop::chooseSessionMode(tray, why) ==
        firmante::desktop::SessionMode::Desktop) {
        if (FirmanteDesktopMainFn desktop = openDesktop()) {
            std::cerr << "firmante-agent: ventanas propias / own windows (" << why << ")\n";
            return desktop(argc, argv);
        }
    }
#else
    if (tray) std::cerr << "firmante-agent: --tray: built without Qt, pinentry is used\n";
#endif
    return firmante::agent::Agent().run();
}
