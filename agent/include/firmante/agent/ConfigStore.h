#pragma once

#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "firmante/agent/AgentConfig.h"

namespace firmante::agent {

/// The config file as the running agent sees it, and the one place that rewrites it (when the
/// person approves an origin). Thread-safe.
class ConfigStore {
  public:
    /// `adminOrigins`: the administrator's approved sites (AdminConfig), never written back.
    ConfigStore(std::filesystem::path path, AgentConfig config,
                std::vector<std::string> adminOrigins = {});

    /// `local`, an origin in `allowedOrigins`, or one of the administrator's.
    bool originAllowed(const std::string& origin) const;
    /// Adds the origin and rewrites the file atomically (temporary file, fsync, rename), keeping
    /// every other member. Throws std::runtime_error when the file cannot be written.
    void rememberOrigin(const std::string& origin);

    /// Removes an origin the person allowed and rewrites the file the same way (the tray's
    /// "revoke"). False when the origin was not the person's (absent, or the administrator's).
    /// Throws std::runtime_error when the file cannot be written (then nothing is forgotten).
    bool forgetOrigin(const std::string& origin);
    /// The person's allowed origins, then the administrator's.
    std::vector<std::string> allowedOrigins() const;
    const std::vector<std::string>& adminOrigins() const noexcept { return adminOrigins_; }

    AgentConfig snapshot() const;
    const std::filesystem::path& path() const noexcept { return path_; }

  private:
    /// Applies `edit` to allowedOrigins of the file as it is now and writes it back (mutex held).
    void editAllowedOrigins(const std::function<void(nlohmann::json&)>& edit);
    std::filesystem::path path_;
    mutable std::mutex mutex_;
    AgentConfig config_;
    const std::vector<std::string> adminOrigins_;
};

}  // namespace firmante::agent
