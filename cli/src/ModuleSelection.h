#pragma once

#include <memory>
#include <optional>
#include <string>

#include "Arguments.h"
#include "firmante/pkcs11/Module.h"
#include "firmante/pkcs11/ModuleLocator.h"

namespace firmante::cli {

/// The config file: FIRMANTE_CONFIG, else $XDG_CONFIG_HOME/firmante/config.json (or
/// ~/.config/firmante/config.json) when it exists.
std::optional<std::string> configFilePath();

/// The "module" member of the config file, if any. Throws CliError(INVALID_PARAMS) when
/// FIRMANTE_CONFIG names a file that cannot be read or is not a JSON object.
std::optional<std::string> configuredModule();
/// Config `renewal.requireConfirmedProvenance` (false when absent), as the agent reads it: a
/// direct renewal (`renew --direct`) refuses a new key the token does not vouch for, too.
bool configuredRequireConfirmedProvenance();

/// `--module PATH`, else pkcs11::locateModule (FIRMANTE_MODULE, config, p11-kit).
pkcs11::ModuleLocation selectModule(const Arguments& args);

/// Loads the selected module; from p11-kit's registry, the first that starts (quietly: issue 11
/// §8; `firmante doctor` says which were passed over).
pkcs11::LoadedModule loadSelectedModule(const Arguments& args);
std::shared_ptr<pkcs11::Module> loadModule(const Arguments& args);

}  // namespace firmante::cli
