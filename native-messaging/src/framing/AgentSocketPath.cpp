#include "firmante/nm/AgentSocketPath.hpp"

#include <cstdlib>
#include <stdexcept>

namespace firmante::nm {

std::string agentSocketPath() {
    if (const char* explicitPath = std::getenv("FIRMANTE_SOCKET");
        explicitPath != nullptr && *explicitPath != '\0') {
        return explicitPath;
    }
    if (const char* runtimeDir = std::getenv("XDG_RUNTIME_DIR");
        runtimeDir != nullptr && *runtimeDir != '\0') {
        return std::string(runtimeDir) + "/firmante/agent.sock";
    }
    throw std::runtime_error(
        "neither FIRMANTE_SOCKET nor XDG_RUNTIME_DIR is set: cannot locate the agent socket");
}

}  // namespace firmante::nm
