#include "ModuleSelection.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "CliError.h"
#include "Messages.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::cli {

std::optional<std::string> configFilePath() {
    if (const char* explicitPath = std::getenv("FIRMANTE_CONFIG"); explicitPath && *explicitPath)
        return std::string(explicitPath);
    std::filesystem::path base;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
        base = xdg;
    else if (const char* home = std::getenv("HOME"); home && *home)
        base = std::filesystem::path(home) / ".config";
    else
        return std::nullopt;
    auto path = base / "firmante" / "config.json";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::nullopt;
    return path.string();
}

namespace {

/// The user's config document, if there is one; a file that is not a JSON object is an error.
std::optional<nlohmann::json> configDocument() {
    auto path = configFilePath();
    if (!path) return std::nullopt;
    std::ifstream in(*path);
    if (!in) throw CliError(protocol::words::InvalidParams, tr("config.unreadable", {*path}));
    auto doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        throw CliError(protocol::words::InvalidParams, tr("config.unreadable", {*path}));
    return doc;
}

}  // namespace

std::optional<std::string> configuredModule() {
    const auto doc = configDocument();
    if (!doc) return std::nullopt;
    auto it = doc->find("module");
    if (it == doc->end() || !it->is_string() || it->get<std::string>().empty()) return std::nullopt;
    return it->get<std::string>();
}

bool configuredRequireConfirmedProvenance() {
    const auto doc = configDocument();
    if (!doc) return false;
    const auto renewal = doc->find("renewal");
    if (renewal == doc->end() || !renewal->is_object()) return false;
    const auto required = renewal->find("requireConfirmedProvenance");
    if (required == renewal->end()) return false;
    // The agent refuses to start on a non-boolean; so does a direct renewal.
    if (!required->is_boolean())
        throw CliError(protocol::words::InvalidParams,
                       tr("config.unreadable", {*configFilePath()}) +
                           " (renewal.requireConfirmedProvenance: true / false)");
    return required->get<bool>();
}

pkcs11::ModuleLocation selectModule(const Arguments& args) {
    if (auto explicitModule = args.value("module")) {
        if (explicitModule->empty())
            throw CliError(protocol::words::InvalidParams, tr("usage.required", {"--module"}));
        return {*explicitModule, "--module"};
    }
    return pkcs11::locateModule(configuredModule());
}

pkcs11::LoadedModule loadSelectedModule(const Arguments& args) {
    if (args.value("module")) {
        auto location = selectModule(args);
        return {pkcs11::Module::load(location.path), location, {}};
    }
    return pkcs11::loadModule(configuredModule());
}

std::shared_ptr<pkcs11::Module> loadModule(const Arguments& args) {
    return loadSelectedModule(args).module;
}

}  // namespace firmante::cli
