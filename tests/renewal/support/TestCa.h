#pragma once

#include <chrono>
#include <filesystem>
#include <span>
#include <string>

#include "firmante/pkcs11/OpenSsl.h"
#include "firmante/pkcs11/Types.h"

namespace firmante::renewal::testing {

/// A certificate authority made in-process with OpenSSL (EC P-256 software key), standing in for
/// the IMSS CA: it issues the employer's expired "current" certificate and the new one from the
/// CSR. Its certificate is written to `ca.pem` in the given folder for `openssl cms -verify`.
class TestCa {
  public:
    explicit TestCa(const std::filesystem::path& dir);

    const std::filesystem::path& pemPath() const noexcept { return pemPath_; }

    /// A DER certificate for the public key `spki` (DER SubjectPublicKeyInfo), subject given as
    /// "/CN=…/O=…", valid over [notBefore, notAfter].
    pkcs11::Bytes issue(std::span<const unsigned char> spki, const std::string& subject,
                        std::chrono::system_clock::time_point notBefore,
                        std::chrono::system_clock::time_point notAfter) const;

    /// A DER certificate from a PEM CSR (its signature checked), valid from now for a year.
    pkcs11::Bytes issueFromCsr(const std::string& csrPem) const;

  private:
    pkcs11::Bytes sign(X509_NAME* subject, EVP_PKEY* publicKey,
                       std::chrono::system_clock::time_point notBefore,
                       std::chrono::system_clock::time_point notAfter) const;

    pkcs11::EvpPkeyPtr key_;
    pkcs11::X509Ptr cert_;
    std::filesystem::path pemPath_;
};

}  // namespace firmante::renewal::testing
