// Issue 9 §7: renewal.cancel removes an abandoned renewal's new key — after the person confirms,
// only before a certificate was installed, never the current key — so abandoned renewals stop
// filling the token. pkcs11-tool, reading SoftHSM directly, is the judge of what is left.
#include "FaultFixture.h"
#include "firmante/pkcs11/Certificate.h"

namespace firmante::renewal::testing {
namespace {

using nlohmann::json;

class RenewalCancel : public FaultFixture {
  protected:
    json cancel(const std::string& id, const std::string& origin = kOrigin) {
        reopenToken();
        return manager().cancel(token(), auth_, origin, id);
    }
    void expectOnlyTheCurrentPair() {
        const auto objects = toolObjects();
        EXPECT_EQ(toolCount("Private Key"), 1u);
        EXPECT_EQ(toolCount("Public Key"), 1u);
        EXPECT_TRUE(toolHas("Private Key", pkcs11::toHex(oldKey_.id)));
        EXPECT_TRUE(toolHas("Certificate", pkcs11::toHex(oldCert_.id)));
    }
};

TEST_F(RenewalCancel, RemovesTheNewKeyAfterThePersonConfirms) {
    const json begun = begin();
    const std::string id = begun.at("renewalId");
    signAcceptance(id, acceptanceLetter(begun.at("spkiHex")));
    ASSERT_EQ(toolCount("Private Key"), 2u);
    auth_.clear();

    const json result = cancel(id);
    EXPECT_EQ(result.at("cancelled"), true);
    EXPECT_EQ(result.at("keyRemoved"), true);
    ASSERT_EQ(auth_.confirms.size(), 1u);
    EXPECT_NE(auth_.confirms[0].operation.find("Cancelar"), std::string::npos);
    expectOnlyTheCurrentPair();
    EXPECT_EQ(manager().status(id).at("state"), "cancelled");
    restart();  // and it stays cancelled
    EXPECT_EQ(manager().status(id).at("state"), "cancelled");
    EXPECT_EQ(errorOf([&] { prove(id); })->reasonWord(), "RENEWAL_STATE");
}

TEST_F(RenewalCancel, ARefusalChangesNothingAndAsksNoPin) {
    const json begun = begin();
    const std::string id = begun.at("renewalId");
    auth_.clear();
    auth_.confirmAnswer = false;
    const auto e = errorOf([&] { cancel(id); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reasonWord(), "USER_CANCELLED");
    EXPECT_TRUE(auth_.unlocks.empty());
    EXPECT_EQ(toolCount("Private Key"), 2u);
    EXPECT_EQ(manager().status(id).at("state"), "begun");
}

TEST_F(RenewalCancel, IsRefusedOnceTheNewCertificateIsInstalled) {
    const json begun = begin();
    const std::string id = begun.at("renewalId");
    signAcceptance(id, acceptanceLetter(begun.at("spkiHex")));
    prove(id);
    install(id);
    auth_.clear();
    const auto e = errorOf([&] { cancel(id); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reasonWord(), "RENEWAL_STATE");
    EXPECT_EQ(auth_.calls(), 0u);
    EXPECT_EQ(toolCount("Private Key"), 2u);
}

TEST_F(RenewalCancel, AnotherSiteCannotCancelButThePersonsCliCan) {
    const json begun = begin();
    const std::string id = begun.at("renewalId");
    const auto e = errorOf([&] { cancel(id, "https://otro.example"); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reasonWord(), "ORIGIN_NOT_ALLOWED");
    EXPECT_EQ(toolCount("Private Key"), 2u);
    EXPECT_EQ(cancel(id, "local").at("cancelled"), true);
    expectOnlyTheCurrentPair();
}

TEST_F(RenewalCancel, RemovesWhatAnInterruptedKeyGenerationLeft) {
    faults("fail=C_SetAttributeValue fail=C_DestroyObject");
    ASSERT_TRUE(errorOf([&] { begin(); }));
    faults("");
    ASSERT_EQ(toolCount("Private Key"), 2u);
    const json all = manager().status(std::nullopt);
    ASSERT_EQ(all.at("renewals").size(), 1u);
    const std::string id = all.at("renewals")[0].at("renewalId");
    EXPECT_EQ(all.at("renewals")[0].at("state"), "generating");
    cancel(id);
    expectOnlyTheCurrentPair();
    // And a new renewal starts cleanly.
    EXPECT_EQ(manager().status(begin().at("renewalId").get<std::string>()).at("state"), "begun");
}

}  // namespace
}  // namespace firmante::renewal::testing
