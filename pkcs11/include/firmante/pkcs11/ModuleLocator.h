#pragma once

#include <optional>
#include <string>
#include <vector>

namespace firmante::pkcs11 {

/// Where a PKCS#11 module path came from.
struct ModuleLocation {
    std::string path;
    std::string source;  // "FIRMANTE_MODULE", "config", "p11-kit"
};

/// Module discovery of DESIGN §2: FIRMANTE_MODULE, else `configured` (from the config file), else
/// the modules p11-kit has registered (OpenSC's first), asked through p11-kit's own API.
/// Throws Error(ModuleNotFound) whose message names everything that was tried.
ModuleLocation locateModule(const std::optional<std::string>& configured = std::nullopt);

/// The paths of the modules p11-kit has registered, OpenSC's first. Empty when there are none.
std::vector<std::string> p11KitModulePaths();

}  // namespace firmante::pkcs11
