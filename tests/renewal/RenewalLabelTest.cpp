// Issue 9 §7: a renewal's key label replaces the previous "(renovación …)" suffix instead of
// adding one, and its length is settled before any prompt — ten renewals in a row all work.
#include "RenewalFixture.h"
#include "firmante/pkcs11/Certificate.h"

namespace firmante::renewal::testing {
namespace {

using nlohmann::json;

class RenewalLabel : public RenewalFixture {
  protected:
    std::string labelOf(const json& begun) {
        const auto uri = pkcs11::Uri::parse(begun.at("uri").get<std::string>());
        return uri.object.value_or("");
    }
    static std::size_t suffixes(const std::string& label) {
        std::size_t n = 0;
        for (auto at = label.find("(renovación"); at != std::string::npos;
             at = label.find("(renovación", at + 1))
            ++n;
        return n;
    }
    /// The renewed certificate becomes the current one, as for the person a year later.
    void adopt(const json& installed) {
        reopenToken();
        oldCert_ = token().certificate(pkcs11::Uri::parse(installed.at("uri").get<std::string>()));
        oldKey_.spki = oldCert_.spki;
    }
};

TEST_F(RenewalLabel, TenRenewalsInARowKeepOneSuffixAndAllSucceed) {
    for (int round = 1; round <= 10; ++round) {
        SCOPED_TRACE("renewal " + std::to_string(round));
        const json begun = begin();
        const std::string id = begun.at("renewalId");
        const std::string label = labelOf(begun);
        EXPECT_EQ(suffixes(label), 1u) << label;
        EXPECT_TRUE(label.starts_with("PRUEBA 4 (renovación ")) << label;
        const pkcs11::Bytes letter1 = acceptanceLetter(begun.at("spkiHex"));
        signAcceptance(id, letter1);
        prove(id);
        const json installed = install(id);
        signTerms(id, termsLetter(begun.at("spkiHex"), upperHex(pkcs11::sha1(letter1))));
        ASSERT_EQ(finish(id, true).at("retired"), true);
        adopt(installed);
    }
}

TEST_F(RenewalLabel, ALongLabelIsShortenedBeforeThePromptNotRefusedAfterIt) {
    const std::string longLabel(250, 'L');
    asUser([&] {
        oldKey_ = token().generateKeyPair(pkcs11::KeyType::EcP256, longLabel);
        const auto now = std::chrono::system_clock::now();
        oldCert_ = token().storeCertificate(
            ca_->issue(oldKey_.spki, kSubject, now - std::chrono::hours(48),
                       now - std::chrono::hours(1)),
            longLabel);
        return 0;
    });
    auth_.clear();
    const json begun = begin();
    const std::string label = labelOf(begun);
    EXPECT_LE(label.size(), 128u) << label;
    EXPECT_EQ(suffixes(label), 1u) << label;
    EXPECT_TRUE(label.starts_with("LLLL")) << label;
    EXPECT_EQ(auth_.unlocks.size(), 1u);
}

}  // namespace
}  // namespace firmante::renewal::testing
