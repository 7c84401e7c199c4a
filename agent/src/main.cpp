#include <csignal>
#include <cstring>
#include <iostream>

#include "firmante/agent/Agent.h"
#include "firmante/agent/Version.h"

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--version") == 0) {
            std::cout << "firmante-agent " << firmante::agent::kAgentVersion << "\n";
            return 0;
        }
        std::cout << "Uso / Usage: firmante-agent [--version]\n"
                     "Variables: FIRMANTE_SOCKET, FIRMANTE_CONFIG, FIRMANTE_MODULE, "
                     "FIRMANTE_PINENTRY, XDG_RUNTIME_DIR, XDG_STATE_HOME\n";
        return std::strcmp(argv[i], "--help") == 0 ? 0 : 1;
    }
    // A client that hangs up mid-answer, or a pinentry that dies, must not kill the agent.
    std::signal(SIGPIPE, SIG_IGN);
    return firmante::agent::Agent().run();
}
