#pragma once

#include <dlfcn.h>

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

/// One of Firmante's own modules, opened (never closed: Qt and poppler keep process-wide state).
struct OwnModule {
    void* handle = nullptr;
    std::string path;     // where it was looked for
    std::string problem;  // why it or a function of it could not be had (dlerror names the file)

    /// A function the module exports, or null with `problem` set.
    template <class Fn>
    Fn function(const char* name) {
        if (!handle) return nullptr;
        auto fn = reinterpret_cast<Fn>(::dlsym(handle, name));
        if (!fn && problem.empty()) {
            const char* why = ::dlerror();
            problem = why ? why : path + ": no " + name;
        }
        return fn;
    }
};

/// Opens the module at ownModulePath(...) with RTLD_NOW | RTLD_LOCAL.
inline OwnModule openOwnModule(std::string_view buildDir, std::string_view buildPath,
                               std::string_view installedPath) {
    OwnModule module;
    module.path = ownModulePath(buildDir, buildPath, installedPath);
    module.handle = ::dlopen(module.path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!module.handle) {
        const char* why = ::dlerror();
        module.problem = why ? why : module.path + ": cannot be opened";
    }
    return module;
}

}  // namespace firmante::protocol
