#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "RecordingAuthorizer.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Module.h"
#include "firmante/pkcs11/Token.h"
#include "firmante/renewal/RenewalManager.h"
#include "firmante/testing/SoftHsmToken.h"
#include "firmante/testing/TempDir.h"
#include "firmante/testing/TestCa.h"

namespace firmante::renewal::testing {

/// The tests' one certificate authority (tests/support), here standing in for the IMSS CA.
using TestCa = firmante::testing::TestCa;

/// One renewal's world: a private SoftHSM token holding the employer's key and *expired*
/// certificate (issued by a test CA), a journal folder, a manager and a recording authorizer.
class RenewalFixture : public ::testing::Test {
  protected:
    static constexpr const char* kOrigin = "http://127.0.0.1:8080";
    static constexpr const char* kSubject =
        "/C=MX/O=PRUEBA 4/CN=PRUEBA 4 PRUEBA/serialNumber=A064878710";

    void SetUp() override;
    void TearDown() override;

    /// The PKCS#11 module every (re)load uses; the fault sweep puts the fault module here.
    virtual std::string modulePath() const { return firmante::testing::SoftHsmToken::modulePath(); }

    /// Simulates an agent restart: drops the manager, the token and the module, then loads them
    /// all again on the same token folder and journal folder.
    void restart();

    /// Loads the module and opens the token again, keeping the manager. The step helpers below
    /// call it first: pkcs11's OpenSslBridge keeps libp11's key handles from before a C_Logout,
    /// which SoftHSM invalidates, so a second login on the same Module cannot sign (reported to
    /// the pkcs11 owner; the fresh module stands in for an agent that reopened the token).
    void reopenToken();

    pkcs11::Token& token() { return *token_; }
    RenewalManager& manager() { return *manager_; }
    std::filesystem::path journalDir() const { return work_ / "renewals"; }
    std::filesystem::path journalFile(const std::string& id) const {
        return journalDir() / (id + ".json");
    }

    // The steps, as the agent would call them, with the letters a portal would send.
    nlohmann::json begin(pkcs11::KeyType type = pkcs11::KeyType::EcP256);
    pkcs11::Bytes acceptanceLetter(const std::string& newSpkiHex) const;
    pkcs11::Bytes termsLetter(const std::string& newSpkiHex, const std::string& previousSha1) const;
    nlohmann::json signAcceptance(const std::string& id, const pkcs11::Bytes& letter);
    nlohmann::json signTerms(const std::string& id, const pkcs11::Bytes& letter);
    nlohmann::json prove(const std::string& id);
    /// Issues the new certificate from the renewal's CSR and installs it.
    nlohmann::json install(const std::string& id);
    nlohmann::json finish(const std::string& id, bool retireOld);

    /// The renewal's CSR, as begin returned it (kept for install()).
    std::map<std::string, std::string> csrs;
    /// The acceptance letter each renewal signed (for the terms letter's hash).
    std::map<std::string, pkcs11::Bytes> acceptanceLetters;

    /// Runs `openssl cms -verify` on a detached DER CMS against the test CA. Returns its exit
    /// code (0 = verified) and writes stderr to `error`.
    int opensslVerify(const pkcs11::Bytes& document, const pkcs11::Bytes& cms, bool noCheckTime,
                      std::string* error = nullptr);

    /// Logs in with the test PIN for direct checks on the token, and out again.
    template <typename F>
    auto asUser(F&& f) {
        token().login(pkcs11::Secret(firmante::testing::SoftHsmToken::kUserPin));
        struct Out {
            pkcs11::Token& t;
            ~Out() { t.logout(); }
        } out{token()};
        return f();
    }

    firmante::testing::SoftHsmToken hsm_;
    firmante::testing::TempDir work_{"firmante-renewal"};
    std::unique_ptr<TestCa> ca_;
    std::shared_ptr<pkcs11::Module> module_;
    std::optional<pkcs11::Token> token_;
    std::unique_ptr<RenewalManager> manager_;
    RecordingAuthorizer auth_;

    pkcs11::KeyInfo oldKey_;
    pkcs11::CertificateInfo oldCert_;
};

/// The error `f` throws; fails the test (and returns nullopt) when it throws none.
std::optional<pkcs11::Error> errorOf(const std::function<void()>& f);

std::string hexOf(const pkcs11::Bytes& bytes);  // lower-case, no separators
std::string upperHex(const pkcs11::Bytes& bytes);
pkcs11::Bytes decodeBase64(const std::string& text);
pkcs11::Bytes randomBytes(std::size_t n);
/// spkiHex of a fresh software EC key: a key that is not on the token.
std::string foreignSpkiHex();

}  // namespace firmante::renewal::testing
