#pragma once

#include <nlohmann/json.hpp>

#include "Arguments.h"

namespace firmante::cli {

// One function per verb. Each returns its --json document; the human view is rendered from that
// same document (HumanViews), so both outputs always carry the same facts. Token objects are
// destroyed before a function returns, so the module is torn down before anything is printed.

nlohmann::json runTokens(const Arguments& args);
nlohmann::json runCerts(const Arguments& args);
nlohmann::json runKeys(const Arguments& args);
nlohmann::json runKeygen(const Arguments& args);
nlohmann::json runCsr(const Arguments& args);
nlohmann::json runSign(const Arguments& args);
nlohmann::json runVerify(const Arguments& args);
nlohmann::json runImportCert(const Arguments& args);
nlohmann::json runImportPfx(const Arguments& args);
nlohmann::json runRenew(const Arguments& args);

}  // namespace firmante::cli
