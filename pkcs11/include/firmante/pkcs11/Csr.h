#pragma once

#include <string>
#include <string_view>

#include "firmante/pkcs11/OpenSsl.h"

namespace firmante::pkcs11 {

/// Parses a distinguished name written as "/CN=a/O=b" (OpenSSL style) or "CN=a, O=b" (RFC 4514
/// style, with backslash escapes), UTF-8 values. Throws Error(InvalidParams).
X509NamePtr parseDistinguishedName(std::string_view text);

/// A PKCS#10 request for `key`'s public key, signed by `key` (RSA PKCS#1 v1.5 or ECDSA, SHA-256),
/// as PEM. With a token key the signature is made on the token.
std::string makeCsrPem(EVP_PKEY* key, const X509_NAME* subject);

}  // namespace firmante::pkcs11
