#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "firmante/pkcs11/Types.h"

namespace firmante::agent {

/// tokens.list entry: uri, label, manufacturer, model, serial, pinpad, pinCountLow,
/// pinFinalTry, pinLocked.
nlohmann::json tokenJson(const pkcs11::TokenInfo& token);
/// certificates.list entry: uri, keyUri, label, subject, issuer, serial, notBefore, notAfter,
/// expired, spkiSha256, der.
nlohmann::json certificateJson(const pkcs11::CertificateInfo& certificate);
/// "2026-11-26T15:00:00Z"
std::string isoTime(std::chrono::system_clock::time_point time);

}  // namespace firmante::agent
