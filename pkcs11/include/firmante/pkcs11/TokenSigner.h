#pragma once

#include <memory>
#include <span>

#include <openssl/evp.h>
#include <p11-kit/pkcs11.h>

#include "firmante/pkcs11/OpenSsl.h"
#include "firmante/pkcs11/Session.h"
#include "firmante/pkcs11/Types.h"

namespace firmante::pkcs11 {

class Module;

/// An OpenSSL key holding only the public half of a token key, marked so that signData() signs on
/// the token: C_Sign with the mechanism the token offers for this key and digest (see
/// TokenMechanisms::signMechanism), in a session of its own. Needs the application logged in.
/// When `key.attributes.alwaysAuthenticate`, each signature calls `contextLogin` between
/// C_SignInit and C_Sign; without one it throws Error(NotLoggedIn) before C_SignInit.
/// Throws Error(InvalidParams) when `key.spki` is empty or not RSA/EC.
EvpPkeyPtr tokenSigningKey(std::shared_ptr<Module> module, CK_SLOT_ID slot, const KeyInfo& key,
                           ContextLogin contextLogin = {});

/// Whether `key` came from tokenSigningKey().
bool isTokenSigningKey(const EVP_PKEY* key) noexcept;

/// The signature over `data` hashed with `digest` (SHA-256 or SHA-384), encoded as X.509, CMS and
/// our challenges carry it: PKCS#1 v1.5 for RSA, a DER ECDSA-Sig-Value for EC. A token key signs
/// on the token; any other key (a software key in tests, a libp11 key) signs through OpenSSL.
/// Throws Error(MechanismInvalid) naming what the token offers when no mechanism fits, or the
/// mapped Cryptoki error.
Bytes signData(EVP_PKEY* key, const EVP_MD* digest, std::span<const unsigned char> data);

}  // namespace firmante::pkcs11
