#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firmante/pkcs11/KeyTraits.h"  // KeyType, keyTypeName, parseKeyType
#include "firmante/pkcs11/Uri.h"

namespace firmante::pkcs11 {

using Bytes = std::vector<unsigned char>;

/// What a person needs to know about a token before typing a PIN.
struct TokenInfo {
    unsigned long slotId = 0;
    std::string label;
    std::string manufacturer;
    std::string model;
    std::string serial;
    bool pinpad = false;        // CKF_PROTECTED_AUTHENTICATION_PATH: PIN typed on the reader
    bool pinCountLow = false;   // CKF_USER_PIN_COUNT_LOW
    bool pinFinalTry = false;   // CKF_USER_PIN_FINAL_TRY
    bool pinLocked = false;     // CKF_USER_PIN_LOCKED
    bool loginRequired = true;  // CKF_LOGIN_REQUIRED
    bool initialized = true;    // CKF_TOKEN_INITIALIZED and CKF_USER_PIN_INITIALIZED
    /// Key types the token can generate and sign with in a way our formats need, from its
    /// mechanism list (Module::tokens() fills it; empty from tokenInfo()).
    std::vector<std::string> keyTypes;

    /// `pkcs11:token=…;manufacturer=…;model=…;serial=…`
    Uri uri() const;
};

/// Attributes read back from the token after generation or import (DESIGN §3 rule 1).
struct KeyAttributes {
    bool local = false;             // CKA_LOCAL: generated on this token
    bool neverExtractable = false;  // CKA_NEVER_EXTRACTABLE
    bool alwaysSensitive = false;   // CKA_ALWAYS_SENSITIVE
    bool extractable = true;        // CKA_EXTRACTABLE
    bool sensitive = false;         // CKA_SENSITIVE
    /// CKA_ALWAYS_AUTHENTICATE: the token wants the PIN again right before each signature (a
    /// context-specific login; qualified-signature cards set it).
    bool alwaysAuthenticate = false;

    /// Whether the token vouches that the key was generated on it and never left it: CKA_LOCAL,
    /// CKA_NEVER_EXTRACTABLE and CKA_ALWAYS_SENSITIVE true, CKA_EXTRACTABLE false (issue 11 §5).
    /// False for an imported key, and for every key of a card that records no access flags.
    bool provenanceConfirmed() const noexcept {
        return local && neverExtractable && alwaysSensitive && !extractable;
    }
};

/// A key pair on the token (its private half, plus the public key as an SPKI).
struct KeyInfo {
    Bytes id;               // CKA_ID
    std::string label;      // CKA_LABEL
    std::string algorithm;  // "rsa-2048", "ec-p256", … ("rsa-1024" etc. for other sizes)
    Bytes spki;             // DER SubjectPublicKeyInfo (empty if the token hides it)
    KeyAttributes attributes;
    Uri uri;  // type=private
    /// The private half's object handle when it was read: a hint that saves a search, checked
    /// against CKA_ID before use (SoftHSM renumbers private objects at logout).
    unsigned long handle = 0;
};

/// A certificate on the token, parsed.
struct CertificateInfo {
    Bytes id;  // CKA_ID
    std::string label;
    Bytes der;
    std::string subject;  // RFC 2253 one-line
    std::string issuer;
    std::string serialHex;  // upper-case hex, no separators
    std::chrono::system_clock::time_point notBefore;
    std::chrono::system_clock::time_point notAfter;
    bool expired = false;       // notAfter in the past (or notBefore in the future)
    Bytes spki;                 // DER SubjectPublicKeyInfo
    std::string spkiSha256Hex;  // lower-case hex of SHA-256(spki)
    Uri uri;                    // type=cert
    std::optional<Uri> keyUri;  // the private key paired by CKA_ID or public key, if any
};

}  // namespace firmante::pkcs11
