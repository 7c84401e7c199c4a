#include "firmante/agent/AgentPaths.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "firmante/protocol/AgentSocketPath.h"

namespace firmante::agent {

namespace {

std::string env(const char* name) {
    const char* value = std::getenv(name);
    return value && *value ? value : "";
}

std::filesystem::path home() {
    if (auto h = env("HOME"); !h.empty()) return h;
    if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir) return pw->pw_dir;
    throw std::runtime_error("HOME is not set");
}

}  // namespace

AgentPaths AgentPaths::fromEnvironment() {
    AgentPaths paths;
    // Without a runtime dir this is a per-uid folder under /tmp that the agent creates 0700 and
    // whose ownership ensurePrivateDirectory checks, so another user cannot pre-plant it.
    paths.socket = protocol::agentSocketPath();
    paths.lock = paths.socket.string() + ".lock";
    if (auto admin = env("FIRMANTE_ADMIN_CONFIG"); !admin.empty()) {
        paths.adminConfig = admin;
    } else if (env("FIRMANTE_CONFIG").empty()) {
        paths.adminConfig = "/etc/firmante/config.json";
    }
    if (auto config = env("FIRMANTE_CONFIG"); !config.empty()) {
        paths.config = config;
    } else if (auto xdg = env("XDG_CONFIG_HOME"); !xdg.empty()) {
        paths.config = std::filesystem::path(xdg) / "firmante" / "config.json";
    } else {
        paths.config = home() / ".config" / "firmante" / "config.json";
    }
    if (auto state = env("XDG_STATE_HOME"); !state.empty()) {
        paths.stateDir = std::filesystem::path(state) / "firmante";
    } else {
        paths.stateDir = home() / ".local" / "state" / "firmante";
    }
    paths.logFile = paths.stateDir / "agent.log";
    paths.renewalsDir = paths.stateDir / "renewals";
    return paths;
}

void ensurePrivateDirectory(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir.parent_path(), ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        throw std::runtime_error("cannot create " + dir.string() + ": " + std::strerror(errno));
    }
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) {
        throw std::runtime_error("cannot inspect " + dir.string() + ": " + std::strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) throw std::runtime_error(dir.string() + " is not a folder");
    if (st.st_uid != ::getuid()) {
        throw std::runtime_error(dir.string() + " belongs to another user (uid " +
                                 std::to_string(st.st_uid) + "); refusing to use it");
    }
    if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), 0700) != 0) {
        throw std::runtime_error("cannot make " + dir.string() +
                                 " private: " + std::strerror(errno));
    }
}

}  // namespace firmante::agent
