#include "firmante/protocol/AgentSocketPath.h"

#include <unistd.h>

#include <cstdlib>

namespace firmante::protocol {

namespace {

const char* env(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : nullptr;
}

}  // namespace

std::string agentSocketPath() {
    if (const char* explicitPath = env("FIRMANTE_SOCKET")) return explicitPath;
    if (const char* runtimeDir = env("XDG_RUNTIME_DIR"))
        return std::string(runtimeDir) + "/firmante/agent.sock";
    // Issue 10: the agent always had this fallback, the relay and the CLI had none, so without a
    // runtime dir the browser got NATIVE_UNAVAILABLE while the agent ran.
    return "/tmp/firmante-" + std::to_string(::getuid()) + "/agent.sock";
}

}  // namespace firmante::protocol
