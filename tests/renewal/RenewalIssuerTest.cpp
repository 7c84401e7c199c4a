// Issue 9 §8: renewal.install_certificate stores only a certificate from the current
// certificate's issuer (name, authority key identifier, and the signature when the issuer's
// certificate is known) or from a CA trusted for the origin. A CA that merely calls itself
// "Autoridad Certificadora IDSE" gets CERTIFICATE_UNTRUSTED, before any prompt, nothing stored.
#include <filesystem>

#include "FaultFixture.h"

namespace firmante::renewal::testing {
namespace {

using nlohmann::json;

class RenewalIssuer : public FaultFixture {
  protected:
    /// A renewal up to the point where the portal hands back the certificate.
    std::string readyToInstall() {
        const json begun = begin();
        const std::string id = begun.at("renewalId");
        signAcceptance(id, acceptanceLetter(begun.at("spkiHex")));
        prove(id);
        reopenToken();
        auth_.clear();
        return id;
    }

    /// A CA of its own (its own key) under the genuine CA's very name.
    std::unique_ptr<TestCa> impostor() { return std::make_unique<TestCa>(TestCa::kImssName); }

    std::optional<pkcs11::Error> installFrom(const TestCa& ca, const std::string& id,
                                             std::vector<pkcs11::Bytes> chain) {
        const pkcs11::Bytes der = ca.issueFromCsr(csrs.at(id));
        return errorOf(
            [&] { manager().installCertificate(token(), auth_, kOrigin, id, der, chain); });
    }

    void expectNothingStored(const std::string& id) {
        EXPECT_EQ(toolCount("Certificate"), 1u);  // the current one only
        EXPECT_EQ(manager().status(id).at("state"), "possessionProved");
        EXPECT_EQ(auth_.calls(), 0u) << "refused before any prompt";
    }
};

TEST_F(RenewalIssuer, RefusesACertificateFromACaThatOnlyBorrowsTheName) {
    const std::string id = readyToInstall();
    const auto hostile = impostor();
    const auto e = installFrom(*hostile, id, {});
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reasonWord(), "CERTIFICATE_UNTRUSTED") << e->what();
    expectNothingStored(id);
}

TEST_F(RenewalIssuer, RefusesTheImpostorEvenWithItsOwnCertificateAsTheChain) {
    const std::string id = readyToInstall();
    const auto hostile = impostor();
    const auto e = installFrom(*hostile, id, {hostile->certificateDer()});
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reasonWord(), "CERTIFICATE_UNTRUSTED") << e->what();
    expectNothingStored(id);
}

TEST_F(RenewalIssuer, RefusesAForgedKeyIdentifierWhenTheGenuineIssuerIsKnown) {
    const std::string id = readyToInstall();
    const auto hostile = impostor();
    hostile->forgeAuthorityKeyIdOf(*ca_);
    // The portal's chain names the genuine CA; the impostor's signature does not verify with it.
    const auto e = installFrom(*hostile, id, {ca_->certificateDer()});
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reasonWord(), "CERTIFICATE_UNTRUSTED") << e->what();
    expectNothingStored(id);
}

TEST_F(RenewalIssuer, AcceptsTheGenuineIssuerWithOrWithoutItsChain) {
    const std::string id = readyToInstall();
    const pkcs11::Bytes der = ca_->issueFromCsr(csrs.at(id));
    EXPECT_NO_THROW(
        manager().installCertificate(token(), auth_, kOrigin, id, der, {ca_->certificateDer()}));
    EXPECT_EQ(manager().status(id).at("state"), "certificateInstalled");
    EXPECT_EQ(toolCount("Certificate"), 2u);
    ASSERT_FALSE(auth_.unlocks.empty());
    EXPECT_NE(auth_.unlocks.back().check->es.find("verificada"), std::string::npos)
        << auth_.unlocks.back().check->es;
    EXPECT_NE(auth_.unlocks.back().check->en.find("the authority's signature verified"),
              std::string::npos)
        << auth_.unlocks.back().check->en;
}

TEST_F(RenewalIssuer, AcceptsACaTheConfigurationTrustsForTheOrigin) {
    const std::string id = readyToInstall();
    const auto other = impostor();  // a second, legitimate CA the portal moved to
    manager().trustIssuers(kOrigin, {other->certificateDer()});
    const pkcs11::Bytes der = other->issueFromCsr(csrs.at(id));
    EXPECT_NO_THROW(manager().installCertificate(token(), auth_, kOrigin, id, der, {}));
    EXPECT_EQ(manager().status(id).at("state"), "certificateInstalled");
}

TEST_F(RenewalIssuer, ATrustedCaForAnotherOriginDoesNotCount) {
    const std::string id = readyToInstall();
    const auto other = impostor();
    manager().trustIssuers("https://otro.example", {other->certificateDer()});
    const auto e = installFrom(*other, id, {});
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reasonWord(), "CERTIFICATE_UNTRUSTED") << e->what();
}

}  // namespace
}  // namespace firmante::renewal::testing
