#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace firmante::protocol {

/// Where one of Firmante's own modules (firmante-pdf.so, firmante-desktop.so) is opened from:
/// the build tree's copy when the running program is in that build tree, the installed copy
/// otherwise, so that a build-tree binary never picks up an installed package's module and the
/// other way round. The three paths are fixed at configure time.
inline std::string ownModulePath(std::string_view buildDir, std::string_view buildPath,
                                 std::string_view installedPath) {
    std::error_code error;
    const std::string exe = std::filesystem::read_symlink("/proc/self/exe", error).string();
    const std::string prefix = std::string(buildDir) + "/";
    return std::string(!error && exe.starts_with(prefix) ? buildPath : installedPath);
}

}  // namespace firmante::protocol
