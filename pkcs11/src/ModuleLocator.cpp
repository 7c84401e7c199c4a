#include "firmante/pkcs11/ModuleLocator.h"

#include <cstdlib>
#include <filesystem>

#include <p11-kit/p11-kit.h>

#include "firmante/pkcs11/Error.h"

namespace firmante::pkcs11 {

std::vector<std::string> p11KitModulePaths() {
    std::vector<std::string> paths;
    // Only reads p11-kit's registry (no C_Initialize): we load the chosen module ourselves.
    CK_FUNCTION_LIST** modules = p11_kit_modules_load(nullptr, P11_KIT_MODULE_UNMANAGED);
    if (modules == nullptr) return paths;
    std::vector<std::string> opensc, others;
    for (CK_FUNCTION_LIST** m = modules; *m != nullptr; ++m) {
        char* file = p11_kit_module_get_filename(*m);
        char* name = p11_kit_module_get_name(*m);
        if (file != nullptr) {
            std::string f = file;
            std::string n = name ? name : "";
            // p11-kit's own trust module holds CA anchors, never a person's keys.
            if (n == "p11-kit-trust" || f.find("p11-kit-trust") != std::string::npos) {
            } else if (n.find("opensc") != std::string::npos ||
                       f.find("opensc") != std::string::npos) {
                opensc.push_back(f);
            } else {
                others.push_back(f);
            }
        }
        free(file);
        free(name);
    }
    p11_kit_modules_release(modules);
    paths = opensc;
    paths.insert(paths.end(), others.begin(), others.end());
    return paths;
}

LoadedModule loadFirstModule(const std::vector<std::string>& candidates,
                             const std::string& source) {
    LoadedModule out;
    for (const auto& path : candidates) {
        try {
            out.module = Module::load(path);
            out.location = {path, source};
            return out;
        } catch (const Error& e) {
            out.skipped.push_back(path + ": " + e.what());
        }
    }
    std::string tried;
    for (const auto& s : out.skipped) tried += (tried.empty() ? "" : "; ") + s;
    throw Error(Reason::ModuleNotFound,
                "no PKCS#11 module could be started (" + source +
                    "): " + (tried.empty() ? std::string("none registered") : tried) +
                    ". Install OpenSC (opensc-pkcs11) or set FIRMANTE_MODULE to the module path.");
}

LoadedModule loadModule(const std::optional<std::string>& configured) {
    const bool named =
        (std::getenv("FIRMANTE_MODULE") != nullptr && *std::getenv("FIRMANTE_MODULE") != '\0') ||
        (configured && !configured->empty() && std::filesystem::exists(*configured));
    if (named) {
        auto location = locateModule(configured);
        return {Module::load(location.path), location, {}};
    }
    // p11-kit's registry (read once: it dlopens every registered module), else the clear
    // "nothing found" error of locateModule.
    std::vector<std::string> candidates;
    for (auto& p : p11KitModulePaths())
        if (std::filesystem::exists(p)) candidates.push_back(p);
    if (candidates.empty()) {
        auto location = locateModule(configured);
        return {Module::load(location.path), location, {}};
    }
    return loadFirstModule(candidates, "p11-kit");
}

ModuleLocation locateModule(const std::optional<std::string>& configured) {
    std::string tried;
    if (const char* env = std::getenv("FIRMANTE_MODULE"); env != nullptr && *env != '\0') {
        if (std::filesystem::exists(env)) return {env, "FIRMANTE_MODULE"};
        throw Error(Reason::ModuleNotFound,
                    std::string("FIRMANTE_MODULE names a module that does not exist: ") + env);
    }
    tried += "FIRMANTE_MODULE (not set)";
    if (configured && !configured->empty()) {
        if (std::filesystem::exists(*configured)) return {*configured, "config"};
        tried += "; config \"module\": " + *configured + " (does not exist)";
    } else {
        tried += "; config \"module\" (not set)";
    }
    auto registered = p11KitModulePaths();
    for (auto& p : registered)
        if (std::filesystem::exists(p)) return {p, "p11-kit"};
    tried += registered.empty() ? "; p11-kit registered modules (none)"
                                : "; p11-kit registered modules (none of them exists)";
    throw Error(Reason::ModuleNotFound,
                "no PKCS#11 module found. Tried: " + tried +
                    ". Install OpenSC (opensc-pkcs11) or set FIRMANTE_MODULE to the module path.");
}

}  // namespace firmante::pkcs11
