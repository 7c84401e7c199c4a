#pragma once

#include "firmante/portal/OpenSslHandles.h"

#include <chrono>
#include <filesystem>
#include <string>

namespace firmante::portal {

/// The portal's embedded CA: an ECDSA P-256 root kept in the state dir
/// (`ca-key.pem`, mode 0600, and `ca-cert.pem`), created on first use.
/// Its validity starts ten years in the past so that certificates issued
/// "already expired" still chain at a time inside their own validity.
class CertificateAuthority {
  public:
    /// Loads the CA from `stateDir`, creating it (and the directory) when absent.
    /// Throws std::runtime_error on I/O or OpenSSL failures.
    static CertificateAuthority openOrCreate(const std::filesystem::path& stateDir);

    X509* certificate() const noexcept { return cert_.get(); }
    std::string certificatePem() const;

    /// Issues an end-entity certificate for `publicKey` with `subject`:
    /// random 128-bit serial, keyUsage digitalSignature+nonRepudiation (critical),
    /// basicConstraints CA:FALSE, subject/authority key identifiers.
    X509Ptr issue(X509_NAME* subject, EVP_PKEY* publicKey,
                  std::chrono::system_clock::time_point notBefore,
                  std::chrono::system_clock::time_point notAfter) const;

    /// A trust store holding only this root.
    X509StorePtr trustStore() const;

    /// True when `cert` chains to this root. With `checkTime` false the validity
    /// periods are ignored (the expired certificate of a renewal still proves
    /// who signed). `error` receives OpenSSL's reason on failure.
    bool verifyChain(X509* cert, bool checkTime, std::string* error = nullptr) const;

  private:
    CertificateAuthority(EvpPkeyPtr key, X509Ptr cert)
        : key_(std::move(key)), cert_(std::move(cert)) {}

    EvpPkeyPtr key_;
    X509Ptr cert_;
};

}  // namespace firmante::portal
