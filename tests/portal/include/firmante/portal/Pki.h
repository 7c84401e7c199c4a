#pragma once
// Certificate, key and signature helpers (free functions over OpenSSL).

#include "firmante/portal/Codec.h"
#include "firmante/portal/OpenSslHandles.h"

#include <chrono>
#include <string>
#include <string_view>

namespace firmante::portal {

/// DER or PEM certificate; throws std::runtime_error when neither parses.
X509Ptr parseCertificate(const Bytes& derOrPem);
std::string certificatePem(X509* cert);
Bytes certificateDer(X509* cert);

/// DER SubjectPublicKeyInfo of a key.
Bytes spkiDer(EVP_PKEY* key);
/// Parses a DER SubjectPublicKeyInfo; throws std::runtime_error.
EvpPkeyPtr parseSpki(const Bytes& der);

/// The letter's key format (conventions, "spkiHex"): the DER of the SPKI's
/// subjectPublicKey BIT STRING element including tag, length and unused-bits
/// byte, as lower-case hex pairs separated by single spaces.
std::string spkiHex(const Bytes& spkiDer);
/// The same hex wrapped at `pairsPerLine` pairs per line (the manual's layout).
std::string spkiHexWrapped(const Bytes& spkiDer, size_t pairsPerLine = 22);

/// SHA-256 of the DER SubjectPublicKeyInfo in 16 groups of four lower-case hex digits ("3f2a
/// 91c0 …"): what the renewal page shows and the agent's prompt shows too, for a person to
/// compare (docs/portal-integration.md). Computed here from the SPKI the portal received, not
/// taken from the agent.
std::string spkiFingerprint(const Bytes& spkiDer);

/// The 64-byte origin-bound challenge: SHA-256(origin UTF-8) ‖ SHA-256(nonce).
Bytes originBoundMessage(std::string_view origin, const Bytes& nonce);

/// Verifies an origin-bound signature (`RS256`, `ES256`, `ES384`) by `key`.
/// Returns false for a wrong signature or an algorithm that does not fit the key.
bool verifyOriginBound(EVP_PKEY* key, std::string_view algorithm, std::string_view origin,
                       const Bytes& nonce, const Bytes& signature);

/// Value of the first `nid` entry of a name ("" when absent).
std::string nameEntry(X509_NAME* name, int nid);
/// RFC 2253-ish one-line rendering of a name.
std::string nameToString(X509_NAME* name);

std::chrono::system_clock::time_point asn1TimeToTimePoint(const ASN1_TIME* t);
/// ISO-8601 UTC ("2026-11-26T15:04:05Z").
std::string isoTime(std::chrono::system_clock::time_point t);
/// `t` in UTC through strftime's `format`.
std::string utcTime(std::chrono::system_clock::time_point t, const char* format);
/// Serial number as lower-case hex.
std::string serialHex(X509* cert);

}  // namespace firmante::portal
