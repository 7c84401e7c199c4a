#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "firmante/pkcs11/Types.h"

namespace firmante::views {

/// tokens.list entry and the CLI's token: uri, label, manufacturer, model, serial, slot, pinpad,
/// pinCountLow, pinFinalTry, pinLocked, loginRequired, initialized, keyTypes.
nlohmann::json tokenJson(const pkcs11::TokenInfo& token);

/// certificates.list entry and the CLI's certificate: uri, keyUri, label, id, subject, issuer,
/// serial, notBefore, notAfter, expired, spkiSha256, der.
nlohmann::json certificateJson(const pkcs11::CertificateInfo& certificate);

/// What the token says of a private key: local, alwaysSensitive, neverExtractable, extractable,
/// sensitive, alwaysAuthenticate, provenanceConfirmed (all four of born here / never left say
/// so) and provenance (the same in words, es-MX then English, naming what was not stated).
nlohmann::json keyAttributesJson(const pkcs11::KeyAttributes& attributes);

/// Whether the token vouches for a key's provenance, in words (es-MX, then English), naming the
/// attributes it did not state (issue 11 §5).
std::string provenanceWords(const pkcs11::KeyAttributes& attributes);

/// A key as `firmante keys` lists it: uri, label, id, algorithm, keyAttributes, spki,
/// spkiSha256, spkiHex (null when the token keeps no public half).
nlohmann::json keyJson(const pkcs11::KeyInfo& key);

/// "2026-11-26T15:00:00Z"
std::string isoTime(std::chrono::system_clock::time_point time);

}  // namespace firmante::views
