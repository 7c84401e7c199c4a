#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "firmante/testing/TempDir.h"

namespace firmante::testing {

/// A throw-away certificate authority (software RSA key) for tests: issues certificates for any
/// public key, e.g. one that lives on a SoftHSM token, valid or already expired.
class TestCa {
  public:
    explicit TestCa(const std::string& commonName = "Firmante Test CA");
    ~TestCa();
    TestCa(const TestCa&) = delete;
    TestCa& operator=(const TestCa&) = delete;

    /// A DER certificate for the DER SubjectPublicKeyInfo `spki`, subject in OpenSSL's "/CN=…/O=…"
    /// form, valid from now+notBeforeOffset to now+notAfterOffset (negative offsets: the past).
    std::vector<unsigned char> issue(const std::vector<unsigned char>& spki,
                                     const std::string& subject,
                                     std::chrono::seconds notBeforeOffset = std::chrono::hours(-1),
                                     std::chrono::seconds notAfterOffset = std::chrono::hours(24 *
                                                                                              365));
    /// The CA certificate as a PEM file (for `openssl cms -verify -CAfile`).
    const std::string& certificatePemPath() const noexcept { return pemPath_; }
    /// A fresh software key pair and certificate packed as a .pfx with `password` (for import
    /// tests).
    std::string makePfx(const std::string& subject, const std::string& password, bool ec = false,
                        bool expired = false);

  private:
    struct Impl;
    Impl* impl_;
    TempDir dir_;
    std::string pemPath_;
};

}  // namespace firmante::testing
