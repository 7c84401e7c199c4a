// Issue 9 §7: a key generation interrupted anywhere (a failed C_GenerateKeyPair, a crash before
// CKA_ID is set) never jams the renewal: begin works again, and the token holds exactly one new
// key — as pkcs11-tool, reading SoftHSM directly, sees it.
#include "FaultFixture.h"
#include "firmante/pkcs11/Certificate.h"

namespace firmante::renewal::testing {
namespace {

using nlohmann::json;

class RenewalKeygenRecovery : public FaultFixture {};

TEST_F(RenewalKeygenRecovery, BeginWorksAgainAfterTheKeyWasLeftWithoutItsId) {
    // The agent stops right after C_GenerateKeyPair: the key exists, CKA_ID was never set, and
    // nothing cleaned up (a crash: the clean-up's C_DestroyObject calls fail as well).
    faults("fail=C_SetAttributeValue fail=C_DestroyObject");
    const auto failed = errorOf([&] { begin(); });
    ASSERT_TRUE(failed);
    EXPECT_NE(faultLog().find("C_SetAttributeValue"), std::string::npos) << faultLog();
    faults("");
    EXPECT_EQ(toolCount("Private Key"), 2u) << "the orphan key is expected on the token";
    restart();

    const json begun = begin();
    EXPECT_EQ(manager().status(begun.at("renewalId").get<std::string>()).at("state"), "begun");
    // Old pair + one new pair; the orphan without its id is gone.
    EXPECT_EQ(toolCount("Private Key"), 2u);
    EXPECT_EQ(toolCount("Public Key"), 2u);
    const pkcs11::Uri uri = pkcs11::Uri::parse(begun.at("uri").get<std::string>());
    ASSERT_TRUE(uri.id);
    EXPECT_TRUE(toolHas("Private Key", pkcs11::toHex(*uri.id)));
    EXPECT_TRUE(toolHas("Private Key", pkcs11::toHex(oldKey_.id)));
    EXPECT_TRUE(toolHas("Certificate", pkcs11::toHex(oldCert_.id)));
    // And the renewal carries on.
    EXPECT_NO_THROW(signAcceptance(begun.at("renewalId"), acceptanceLetter(begun.at("spkiHex"))));
}

TEST_F(RenewalKeygenRecovery, BeginWorksAgainAfterKeyGenerationFailed) {
    faults("fail=C_GenerateKeyPair");
    const auto failed = errorOf([&] { begin(); });
    ASSERT_TRUE(failed);
    faults("");
    restart();
    const json begun = begin();
    EXPECT_EQ(manager().status(begun.at("renewalId").get<std::string>()).at("state"), "begun");
    EXPECT_EQ(toolCount("Private Key"), 2u);
    EXPECT_EQ(toolCount("Public Key"), 2u);
}

TEST_F(RenewalKeygenRecovery, AFailedBeginIsResumedNotDuplicated) {
    faults("fail=C_SetAttributeValue");
    ASSERT_TRUE(errorOf([&] { begin(); }));
    faults("");
    // No restart: the same agent, the person simply presses the button again.
    const json first = begin();
    const json status = manager().status(std::nullopt);
    EXPECT_EQ(status.at("renewals").size(), 1u) << status.dump(2);
    EXPECT_EQ(toolCount("Private Key"), 2u);
    (void)first;
}

}  // namespace
}  // namespace firmante::renewal::testing
