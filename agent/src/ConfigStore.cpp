#include "firmante/agent/ConfigStore.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "firmante/agent/Origin.h"

namespace firmante::agent {

namespace {

// Temporary file, fsync, rename: a crash leaves the old file or the new one, never half of one.
void writeAtomically(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    const std::string temp = path.string() + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot write " + temp + ": " + std::strerror(errno));
    std::string_view rest = text;
    while (!rest.empty()) {
        const ssize_t n = ::write(fd, rest.data(), rest.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            ::close(fd);
            ::unlink(temp.c_str());
            throw std::runtime_error("cannot write " + temp + ": " + std::strerror(errno));
        }
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
    ::fsync(fd);
    ::close(fd);
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        ::unlink(temp.c_str());
        throw std::runtime_error("cannot replace " + path.string() + ": " + std::strerror(errno));
    }
    if (const int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

}  // namespace

ConfigStore::ConfigStore(std::filesystem::path path, AgentConfig config,
                         std::vector<std::string> adminOrigins)
    : path_(std::move(path)), config_(std::move(config)), adminOrigins_(std::move(adminOrigins)) {}

bool ConfigStore::originAllowed(const std::string& origin) const {
    if (origin == kLocalOrigin) return true;
    if (std::find(adminOrigins_.begin(), adminOrigins_.end(), origin) != adminOrigins_.end())
        return true;
    std::lock_guard lock(mutex_);
    return std::find(config_.allowedOrigins.begin(), config_.allowedOrigins.end(), origin) !=
           config_.allowedOrigins.end();
}

void ConfigStore::rememberOrigin(const std::string& origin) {
    std::lock_guard lock(mutex_);
    if (std::find(config_.allowedOrigins.begin(), config_.allowedOrigins.end(), origin) !=
        config_.allowedOrigins.end()) {
        return;
    }
    editAllowedOrigins([&](nlohmann::json& list) {
        if (std::find(list.begin(), list.end(), origin) == list.end()) list.push_back(origin);
    });
}

bool ConfigStore::forgetOrigin(const std::string& origin) {
    std::lock_guard lock(mutex_);
    if (std::find(config_.allowedOrigins.begin(), config_.allowedOrigins.end(), origin) ==
        config_.allowedOrigins.end()) {
        return false;
    }
    editAllowedOrigins([&](nlohmann::json& list) {
        list.erase(std::remove(list.begin(), list.end(), nlohmann::json(origin)), list.end());
    });
    return true;
}

void ConfigStore::editAllowedOrigins(const std::function<void(nlohmann::json&)>& edit) {
    // Start from the file as it is now, so an edit made while the agent ran is kept.
    AgentConfig current = config_;
    try {
        current = AgentConfig::load(path_);
    } catch (const std::exception&) {
        // A broken file is not ours to repair silently: keep what we loaded at start.
    }
    nlohmann::json document =
        current.document.is_object() ? current.document : nlohmann::json::object();
    auto& list = document["allowedOrigins"];
    if (!list.is_array()) list = nlohmann::json::array();
    edit(list);
    writeAtomically(path_, document.dump(2) + "\n");
    current.document = document;
    current.allowedOrigins.clear();
    for (const auto& o : list) current.allowedOrigins.push_back(o.get<std::string>());
    config_ = std::move(current);
}

std::vector<std::string> ConfigStore::allowedOrigins() const {
    std::lock_guard lock(mutex_);
    return config_.allowedOrigins;
}

AgentConfig ConfigStore::snapshot() const {
    std::lock_guard lock(mutex_);
    return config_;
}

}  // namespace firmante::agent
