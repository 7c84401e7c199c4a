// Every step refused when called out of order (RENEWAL_STATE), naming the step expected, with no
// prompt shown and the renewal left where it was.
#include "RenewalFixture.h"
#include "firmante/pkcs11/Certificate.h"

namespace firmante::renewal::testing {
namespace {

using nlohmann::json;

class RenewalOrder : public RenewalFixture {
  protected:
    /// Calls every step but the ones allowed now and checks each is refused with RENEWAL_STATE
    /// mentioning `expected`, without prompting.
    void expectOnlyAllowed(const std::string& id, const std::string& spkiHex,
                           const std::vector<std::string>& allowed, const std::string& expected) {
        const std::string state = manager().status(id).at("state");
        auth_.clear();
        const pkcs11::Bytes letter1 = acceptanceLetter(spkiHex);
        const pkcs11::Bytes letter2 = termsLetter(spkiHex, upperHex(pkcs11::sha1(letter1)));
        const std::map<std::string, std::function<void()>> steps = {
            {"acceptance", [&] { signAcceptance(id, letter1); }},
            {"prove", [&] { prove(id); }},
            {"install", [&] { install(id); }},
            {"terms", [&] { signTerms(id, letter2); }},
            {"finish", [&] { finish(id, false); }},
        };
        for (const auto& [name, step] : steps) {
            if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
            const auto e = errorOf(step);
            ASSERT_TRUE(e) << name << " in state " << state;
            EXPECT_EQ(e->reason(), pkcs11::Reason::RenewalState) << name << ": " << e->what();
            EXPECT_NE(std::string(e->what()).find(expected), std::string::npos)
                << name << ": " << e->what();
        }
        EXPECT_EQ(auth_.calls(), 0u) << "a refused step prompted the person";
        EXPECT_EQ(manager().status(id).at("state"), state);
    }
};

TEST_F(RenewalOrder, RefusesEveryStepOutOfOrderFromBeginToFinish) {
    const json begun = begin();
    const std::string id = begun.at("renewalId");
    const std::string hex = begun.at("spkiHex");

    expectOnlyAllowed(id, hex, {"acceptance"}, "stage=acceptance");
    signAcceptance(id, acceptanceLetter(hex));
    expectOnlyAllowed(id, hex, {"prove"}, "renewal.prove_possession");
    prove(id);
    expectOnlyAllowed(id, hex, {"prove", "install"}, "renewal.install_certificate");
    install(id);
    expectOnlyAllowed(id, hex, {"install", "terms"}, "stage=terms");
    signTerms(id, termsLetter(hex, upperHex(pkcs11::sha1(acceptanceLetters.at(id)))));
    expectOnlyAllowed(id, hex, {"finish"}, "renewal.finish");
    finish(id, false);
    expectOnlyAllowed(id, hex, {}, "ya terminó");
}

TEST_F(RenewalOrder, AnotherOriginCannotContinueTheRenewal) {
    const json begun = begin();
    const std::string id = begun.at("renewalId");
    auth_.clear();
    const auto e = errorOf([&] {
        manager().signLetter(token(), auth_, "https://evil.example", id, "acceptance",
                             acceptanceLetter(begun.at("spkiHex")), "carta.pdf");
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reason(), pkcs11::Reason::OriginNotAllowed);
    const auto e2 = errorOf([&] {
        manager().provePossession(token(), auth_, "https://evil.example", id, randomBytes(32));
    });
    ASSERT_TRUE(e2);
    EXPECT_EQ(e2->reason(), pkcs11::Reason::OriginNotAllowed);
    EXPECT_EQ(auth_.calls(), 0u);
    EXPECT_EQ(manager().status(id).at("state"), "begun");
}

TEST_F(RenewalOrder, UnknownOrMalformedRenewalIdsAreRefused) {
    const auto unknown = errorOf([&] { prove("AAAAAAAAAAAAAAAAAAAAAA"); });
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->reason(), pkcs11::Reason::RenewalState);
    const auto traversal = errorOf([&] { manager().status(std::string("../etc/passwd")); });
    ASSERT_TRUE(traversal);
    EXPECT_EQ(traversal->reason(), pkcs11::Reason::InvalidParams);
    const auto tokenOf = errorOf([&] { manager().tokenOf("nope"); });
    ASSERT_TRUE(tokenOf);
    EXPECT_EQ(tokenOf->reason(), pkcs11::Reason::RenewalState);
}

TEST_F(RenewalOrder, ACertificateForAnotherKeyIsRefusedAsMismatch) {
    const json begun = begin();
    const std::string id = begun.at("renewalId");
    signAcceptance(id, acceptanceLetter(begun.at("spkiHex")));
    prove(id);
    auth_.clear();
    // The old key's certificate, re-issued: right subject, wrong key.
    const auto now = std::chrono::system_clock::now();
    const pkcs11::Bytes other =
        ca_->issue(oldKey_.spki, kSubject, now, now + std::chrono::hours(24));
    const auto e =
        errorOf([&] { manager().installCertificate(token(), auth_, kOrigin, id, other, {}); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reason(), pkcs11::Reason::CertificateMismatch);
    EXPECT_EQ(auth_.calls(), 0u);
    EXPECT_EQ(manager().status(id).at("state"), "possessionProved");
    // A nonce out of bounds is a parameter error.
    const auto shortNonce =
        errorOf([&] { manager().provePossession(token(), auth_, kOrigin, id, randomBytes(8)); });
    ASSERT_TRUE(shortNonce);
    EXPECT_EQ(shortNonce->reason(), pkcs11::Reason::InvalidParams);
}

TEST_F(RenewalOrder, InstallingTheSameCertificateAgainIsHarmlessButAnotherOneIsRefused) {
    const json begun = begin();
    const std::string id = begun.at("renewalId");
    signAcceptance(id, acceptanceLetter(begun.at("spkiHex")));
    prove(id);
    const pkcs11::Bytes der = ca_->issueFromCsr(begun.at("csr"));
    reopenToken();
    const auto garbageChain = errorOf([&] {
        manager().installCertificate(token(), auth_, kOrigin, id, der, {pkcs11::Bytes{1, 2, 3}});
    });
    ASSERT_TRUE(garbageChain);
    EXPECT_EQ(garbageChain->reason(), pkcs11::Reason::InvalidParams);
    EXPECT_EQ(manager().status(id).at("state"), "possessionProved");

    const json first = manager().installCertificate(token(), auth_, kOrigin, id, der, {});
    reopenToken();
    const json again = manager().installCertificate(token(), auth_, kOrigin, id, der, {});
    EXPECT_EQ(again.at("uri"), first.at("uri"));
    EXPECT_EQ(asUser([&] { return token().certificates().size(); }), 2u);  // old + new, once

    // A second certificate for the same key is not what this renewal installed.
    const pkcs11::Bytes other = ca_->issueFromCsr(begun.at("csr"));
    reopenToken();
    const auto e =
        errorOf([&] { manager().installCertificate(token(), auth_, kOrigin, id, other, {}); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reason(), pkcs11::Reason::RenewalState);
}

}  // namespace
}  // namespace firmante::renewal::testing
