#pragma once

#include <chrono>
#include <filesystem>
#include <span>
#include <string>

#include "firmante/pkcs11/Types.h"
#include "firmante/testing/Process.h"
#include "firmante/testing/SoftHsmToken.h"
#include "firmante/testing/TestCa.h"

namespace firmante::agent::testing {

/// The tests' one certificate authority (tests/support), under the name these suites know.
using TestCa = firmante::testing::TestCa;

/// A key generated on the token with a certificate from `ca` stored next to it.
struct ProvisionedCertificate {
    std::string uri;  // the certificate's pkcs11: URI
    pkcs11::Bytes der;
    pkcs11::Bytes spki;
};

/// Logs in with the test PIN through the pkcs11 library (not the agent), generates the key,
/// stores the certificate, and unloads the module again.
ProvisionedCertificate provisionCertificate(const firmante::testing::SoftHsmToken& hsm,
                                            const TestCa& ca, const std::string& label,
                                            pkcs11::KeyType type, bool expired);

/// The same with a certificate valid from a day ago until `validFor` from now.
ProvisionedCertificate provisionCertificate(const firmante::testing::SoftHsmToken& hsm,
                                            const TestCa& ca, const std::string& label,
                                            pkcs11::KeyType type, std::chrono::hours validFor);

/// The same for a key with CKA_ALWAYS_AUTHENTICATE (EC P-256), as a qualified-signature card
/// holds it: the token wants the PIN again before each signature.
ProvisionedCertificate provisionAlwaysAuthenticateCertificate(
    const firmante::testing::SoftHsmToken& hsm, const TestCa& ca, const std::string& label);

/// `openssl cms -verify` of the detached DER signature `cms` over `content`, `ca` the trust
/// anchor (the files are written in `dir`); `ignoreTime` accepts a signer whose certificate has
/// expired. Its exit code is 0 when the signature verifies.
firmante::testing::ProcessResult opensslCmsVerify(const TestCa& ca,
                                                  const std::filesystem::path& dir,
                                                  std::span<const unsigned char> content,
                                                  std::span<const unsigned char> cms,
                                                  bool ignoreTime = false);

}  // namespace firmante::agent::testing
