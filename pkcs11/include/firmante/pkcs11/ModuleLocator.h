#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "firmante/pkcs11/Module.h"

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

/// A module found by locateModule's rules, loaded and started.
struct LoadedModule {
    std::shared_ptr<Module> module;
    ModuleLocation location;
    /// Modules from p11-kit's registry that could not be loaded or started and were passed
    /// over, each "path: reason", for one log line each (issue 11 §8).
    std::vector<std::string> skipped;
};

/// locateModule, then Module::load. A module named by FIRMANTE_MODULE or the config must start
/// (its error is thrown); from p11-kit's registry, one that cannot (tpm2-pkcs11 with no TPM
/// reachable) is skipped and the next registered one tried. Throws Error(ModuleNotFound) naming
/// everything tried.
LoadedModule loadModule(const std::optional<std::string>& configured = std::nullopt);

/// The first of `candidates` that loads and starts, in order; the ones before it in `skipped`.
/// Throws Error(ModuleNotFound) naming each candidate and why it was passed over.
LoadedModule loadFirstModule(const std::vector<std::string>& candidates, const std::string& source);

}  // namespace firmante::pkcs11
