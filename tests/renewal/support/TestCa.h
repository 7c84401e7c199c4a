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
    /// The issuer name of the IMSS CA. A hostile CA can take it too (issue 9 §8).
    static constexpr const char* kName =
        "/C=MX/O=Instituto Mexicano del Seguro Social/CN=Autoridad Certificadora IDSE";

    explicit TestCa(const std::filesystem::path& dir, const std::string& name = kName);

    const std::filesystem::path& pemPath() const noexcept { return pemPath_; }
    /// The CA's own certificate (DER), as a portal sends it in `chain`.
    pkcs11::Bytes certificateDer() const;
    /// From now on the certificates this CA issues carry `genuine`'s authority key identifier: a
    /// forger copying what it can read from any certificate of the genuine CA.
    void forgeAuthorityKeyIdOf(const TestCa& genuine) { forgedIssuer_ = genuine.cert_.get(); }

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
    X509* forgedIssuer_ = nullptr;
    std::filesystem::path pemPath_;
};

}  // namespace firmante::renewal::testing
