#pragma once

#include <nlohmann/json.hpp>

#include "firmante/pkcs11/Types.h"

namespace firmante::cli {

// The --json shapes. tokens and certificates use the field names of the agent's tokens.list and
// certificates.list results (DESIGN §2), so a script sees the same document on either path.

nlohmann::json tokenJson(const pkcs11::TokenInfo& token);
nlohmann::json certificateJson(const pkcs11::CertificateInfo& certificate);
nlohmann::json keyAttributesJson(const pkcs11::KeyAttributes& attributes);
nlohmann::json keyJson(const pkcs11::KeyInfo& key);

}  // namespace firmante::cli
