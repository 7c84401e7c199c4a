#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace firmante::agent {

/// The administrator's config (`/etc/firmante/config.json`, or `FIRMANTE_ADMIN_CONFIG`):
/// `{"allowedOrigins": ["https://…"]}`, sites approved for every user of the machine. Its
/// origins are added to the user's; the agent never writes it. Only a file owned by root (or by
/// the agent's own user) and writable by nobody else is read: anyone able to edit it could
/// approve a site for everyone. Missing file or path: no origins. Throws std::runtime_error
/// naming the file for an unsafe owner or mode, or malformed content.
std::vector<std::string> loadAdminOrigins(const std::optional<std::filesystem::path>& path);

}  // namespace firmante::agent
