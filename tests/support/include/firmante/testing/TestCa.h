#pragma once

#include <chrono>
#include <filesystem>
#include <span>
#include <string>

#include "firmante/pkcs11/KeyTraits.h"
#include "firmante/pkcs11/OpenSsl.h"
#include "firmante/pkcs11/Types.h"
#include "firmante/testing/TempDir.h"

namespace firmante::testing {

/// The one throw-away certificate authority of the tests, made in process with OpenSSL (an EC
/// P-256 software key: cheap under ASan). It issues certificates for any public key — one that
/// lives on a SoftHSM token, valid or long expired — and from a CSR, as the IMSS CA does in a
/// renewal. Issued certificates carry CA:FALSE, digitalSignature + nonRepudiation and subject
/// and authority key identifiers. Names are OpenSSL's "/CN=…/O=…" form (or RFC 4514's). Every
/// function throws std::runtime_error or pkcs11::Error when OpenSSL refuses.
class TestCa {
  public:
    using Clock = std::chrono::system_clock;

    static constexpr const char* kDefaultName = "/CN=Firmante Test CA/O=Firmante Tests/C=MX";
    /// The issuer name of the IMSS CA. A hostile CA can take it too (issue 9 §8).
    static constexpr const char* kImssName =
        "/C=MX/O=Instituto Mexicano del Seguro Social/CN=Autoridad Certificadora IDSE";

    /// A CA with a fresh key, its self-signed certificate valid ten years either side of now.
    explicit TestCa(const std::string& name = kDefaultName);
    TestCa(const TestCa&) = delete;
    TestCa& operator=(const TestCa&) = delete;

    /// The CA's own certificate.
    X509* certificate() const noexcept { return cert_.get(); }
    /// The same as DER, as a portal sends it in `chain`.
    pkcs11::Bytes certificateDer() const;
    /// The same as a PEM file (for `openssl cms -verify -CAfile`, or a configuration that trusts
    /// this CA), removed with the CA.
    const std::filesystem::path& pemPath() const noexcept { return pemPath_; }

    /// A DER certificate for the DER SubjectPublicKeyInfo `spki`, valid over [notBefore, notAfter].
    pkcs11::Bytes issue(std::span<const unsigned char> spki, const std::string& subject,
                        Clock::time_point notBefore, Clock::time_point notAfter) const;
    /// The same, valid from an hour ago for a year.
    pkcs11::Bytes issue(std::span<const unsigned char> spki, const std::string& subject) const;
    /// A DER certificate from a PEM CSR (its signature checked), valid from now for a year.
    pkcs11::Bytes issueFromCsr(const std::string& csrPem) const;

    /// A fresh software key of `type` and a certificate for it (valid from an hour ago for a
    /// year) packed as a .pfx under `password`, for import tests.
    pkcs11::Bytes makePfx(const std::string& subject, const std::string& password,
                          pkcs11::KeyType type = pkcs11::KeyType::Rsa2048) const;

    /// From now on the certificates this CA issues carry `genuine`'s authority key identifier: a
    /// forger copying what it can read from any certificate of the genuine CA.
    void forgeAuthorityKeyIdOf(const TestCa& genuine) { forgedIssuer_ = genuine.cert_.get(); }

  private:
    pkcs11::X509Ptr sign(X509_NAME* subject, EVP_PKEY* publicKey, Clock::time_point notBefore,
                         Clock::time_point notAfter) const;

    pkcs11::EvpPkeyPtr key_;
    pkcs11::X509Ptr cert_;
    X509* forgedIssuer_ = nullptr;
    TempDir dir_{"firmante-ca"};
    std::filesystem::path pemPath_;
};

}  // namespace firmante::testing
