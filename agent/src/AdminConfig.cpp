#include "firmante/agent/AdminConfig.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "firmante/agent/AgentConfig.h"

namespace firmante::agent {

std::vector<std::string> loadAdminOrigins(const std::optional<std::filesystem::path>& path) {
    if (!path) return {};
    struct stat st {};
    if (::stat(path->c_str(), &st) != 0) {
        if (errno == ENOENT) return {};
        throw std::runtime_error("cannot inspect the admin config " + path->string() + ": " +
                                 std::strerror(errno));
    }
    if (st.st_uid != 0 && st.st_uid != ::getuid()) {
        throw std::runtime_error("the admin config " + path->string() +
                                 " belongs to another user (uid " + std::to_string(st.st_uid) +
                                 "); it must be root's");
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        throw std::runtime_error("the admin config " + path->string() +
                                 " is writable by others; it must be 0644 or stricter");
    }
    return AgentConfig::load(*path).allowedOrigins;
}

}  // namespace firmante::agent
