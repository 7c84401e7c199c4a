#pragma once

#include <span>
#include <string>
#include <string_view>

#include "firmante/pkcs11/OpenSsl.h"
#include "firmante/pkcs11/Types.h"

namespace firmante::pkcs11 {

/// The 64 bytes an origin-bound challenge signs: SHA-256(origin) ‖ SHA-256(nonce) (DESIGN §2).
Bytes challengeMessage(std::string_view origin, std::span<const unsigned char> nonce);

struct ChallengeSignature {
    Bytes signature;        // RSA PKCS#1 v1.5, or DER ECDSA-Sig-Value
    std::string algorithm;  // "RS256", "ES256", "ES384"
};

/// Signs challengeMessage(origin, nonce) with `key` (SHA-256; SHA-384 for P-384 keys).
ChallengeSignature signChallenge(EVP_PKEY* key, std::string_view origin,
                                 std::span<const unsigned char> nonce);

/// True when `signature` is `publicKey`'s signature of challengeMessage(origin, nonce).
bool verifyChallenge(EVP_PKEY* publicKey, std::string_view origin,
                     std::span<const unsigned char> nonce,
                     std::span<const unsigned char> signature);

}  // namespace firmante::pkcs11
