#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace firmante::portal {

/// What the portal remembers across restarts about issued certificates:
/// which ones a renewal superseded (revoked). Stored in `<state-dir>/state.json`,
/// written to a temporary file and renamed. Not thread-safe: the Portal serialises access.
class CertificateRegistry {
  public:
    explicit CertificateRegistry(std::filesystem::path stateDir);

    bool isRevoked(const std::string& serialHex) const;
    /// Marks `serialHex` as superseded by `replacedBy` and persists it.
    void revoke(const std::string& serialHex, const std::string& replacedBy);

  private:
    void save() const;

    std::filesystem::path path_;
    nlohmann::json state_;
};

}  // namespace firmante::portal
