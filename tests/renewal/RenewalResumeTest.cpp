// DESIGN §3 rule 5: the renewal survives an agent restart (new manager, new module, new token
// handle, same journal folder) at every step, and says so clearly when the token lost its key.
#include <fstream>

#include "RenewalFixture.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/testing/Process.h"

namespace firmante::renewal::testing {
namespace {

using nlohmann::json;

class RenewalResume : public RenewalFixture {};

TEST_F(RenewalResume, CompletesAfterARestartBehindEveryStep) {
    const json begun = begin();
    const std::string id = begun.at("renewalId");
    const std::string hex = begun.at("spkiHex");
    restart();
    EXPECT_EQ(manager().status(id).at("state"), "begun");
    const pkcs11::Bytes letter1 = acceptanceLetter(hex);
    signAcceptance(id, letter1);
    restart();
    EXPECT_EQ(manager().status(id).at("state"), "acceptanceSigned");
    prove(id);
    restart();
    install(id);
    restart();
    const pkcs11::Bytes letter2 = termsLetter(hex, upperHex(pkcs11::sha1(letter1)));
    const json signed2 = signTerms(id, letter2);
    std::string err;
    EXPECT_EQ(opensslVerify(letter2, decodeBase64(signed2.at("cms")), false, &err), 0) << err;
    restart();
    EXPECT_EQ(finish(id, true).at("retired"), true);
    restart();
    EXPECT_EQ(manager().status(id).at("state"), "finished");
    EXPECT_EQ(manager().tokenOf(id).token, hsm_.label());
}

TEST_F(RenewalResume, ReportsKeyNotFoundWhenTheTokenLostTheNewKey) {
    const json begun = begin();
    const std::string id = begun.at("renewalId");
    asUser([&] {
        token().deleteKey(pkcs11::Uri::parse(begun.at("uri").get<std::string>()));
        return 0;
    });
    restart();
    const auto e = errorOf([&] { signAcceptance(id, acceptanceLetter(begun.at("spkiHex"))); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reason(), pkcs11::Reason::KeyNotFound);
    EXPECT_NE(std::string(e->what()).find("llave nueva"), std::string::npos) << e->what();
    EXPECT_EQ(manager().status(id).at("state"), "begun");
    EXPECT_FALSE(token().loggedIn());
}

TEST_F(RenewalResume, AnInterruptedKeyGenerationIsResumedWithoutASecondKey) {
    const json begun = begin();
    const std::string id = begun.at("renewalId");
    // Rewind the journal to the moment between C_GenerateKeyPair and its journal entry: the key
    // exists on the token, the journal only knows its label.
    json rec = json::parse(firmante::testing::readFile(journalFile(id).string()));
    rec["state"] = "generating";
    rec["newKey"] = {{"label", rec["newKey"]["label"]}, {"keyType", "ec-p256"}};
    rec.erase("csr");
    firmante::testing::writeFile(journalFile(id).string(), rec.dump());
    restart();
    EXPECT_EQ(manager().status(id).at("state"), "generating");

    const json again = begin();
    EXPECT_EQ(again.at("renewalId"), id);
    EXPECT_EQ(again.at("uri"), begun.at("uri"));
    EXPECT_EQ(again.at("spki"), begun.at("spki"));
    EXPECT_EQ(asUser([&] { return token().keys().size(); }), 2u);  // old + the one new key
    EXPECT_EQ(manager().status(id).at("state"), "begun");
    // And the renewal carries on.
    EXPECT_NO_THROW(signAcceptance(id, acceptanceLetter(again.at("spkiHex"))));
}

}  // namespace
}  // namespace firmante::renewal::testing
