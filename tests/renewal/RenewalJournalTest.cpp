// The journal: private, durable JSON holding enough to resume and nothing secret.
#include <sys/stat.h>

#include "RenewalFixture.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/testing/Process.h"

namespace firmante::renewal::testing {
namespace {

using nlohmann::json;

class RenewalJournalFile : public RenewalFixture {};

std::string base64Of(const pkcs11::Bytes& bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    out.resize(
        static_cast<std::size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                                 bytes.data(), static_cast<int>(bytes.size()))));
    return out;
}

TEST_F(RenewalJournalFile, IsPrivateValidJsonWithoutDocumentOrSignatureBytes) {
    const json begun = begin();
    const std::string id = begun.at("renewalId");
    const pkcs11::Bytes letter1 = acceptanceLetter(begun.at("spkiHex"));
    const json signed1 = signAcceptance(id, letter1);

    struct stat fileStat {
    }, dirStat{};
    ASSERT_EQ(::stat(journalFile(id).c_str(), &fileStat), 0);
    ASSERT_EQ(::stat(journalDir().c_str(), &dirStat), 0);
    EXPECT_EQ(fileStat.st_mode & 0777, 0600u);
    EXPECT_EQ(dirStat.st_mode & 0777, 0700u);

    const std::string text = firmante::testing::readFile(journalFile(id).string());
    const json rec = json::parse(text);  // throws (fails the test) when not JSON
    EXPECT_EQ(rec.at("renewalId"), id);
    EXPECT_EQ(rec.at("state"), "acceptanceSigned");
    EXPECT_EQ(rec.at("origin"), kOrigin);
    EXPECT_EQ(rec.at("newKey").at("uri"), begun.at("uri"));
    EXPECT_EQ(rec.at("oldCertificate").at("uri"), oldCert_.uri.str());
    EXPECT_EQ(rec.at("letters").at("acceptance").at("sha1"), upperHex(pkcs11::sha1(letter1)));
    EXPECT_EQ(rec.at("letters").at("acceptance").at("cmsSha256"),
              hexOf(pkcs11::sha256(decodeBase64(signed1.at("cms")))));
    // No document, no signature, no PIN.
    EXPECT_EQ(text.find("%PDF"), std::string::npos);
    EXPECT_EQ(text.find(base64Of(pkcs11::Bytes(letter1.begin(), letter1.begin() + 30))),
              std::string::npos);
    EXPECT_EQ(text.find(signed1.at("cms").get<std::string>().substr(0, 40)), std::string::npos);
    EXPECT_EQ(text.find("\"pin"), std::string::npos);
    // No temporary file left behind.
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(journalDir())) {
        ++files;
        EXPECT_EQ(entry.path().extension(), ".json") << entry.path();
    }
    EXPECT_EQ(files, 1u);
}

TEST_F(RenewalJournalFile, ACorruptJournalIsListedAndNeverDeleted) {
    const json begun = begin();
    const std::string good = begun.at("renewalId");
    const auto bad = journalDir() / "brokenRenewal.json";
    firmante::testing::writeFile(bad.string(), "{\"renewalId\": \"brokenRenewal\", \"sta");
    restart();

    const json all = manager().status(std::nullopt).at("renewals");
    ASSERT_EQ(all.size(), 2u);
    bool sawCorrupt = false, sawGood = false;
    for (const auto& r : all) {
        if (r.at("renewalId") == "brokenRenewal") {
            sawCorrupt = true;
            EXPECT_EQ(r.at("state"), "corrupt");
        }
        if (r.at("renewalId") == good) {
            sawGood = true;
            EXPECT_EQ(r.at("state"), "begun");
        }
    }
    EXPECT_TRUE(sawCorrupt);
    EXPECT_TRUE(sawGood);
    EXPECT_EQ(manager().status(std::string("brokenRenewal")).at("state"), "corrupt");
    const auto e = errorOf([&] { prove("brokenRenewal"); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reason(), pkcs11::Reason::RenewalState);
    EXPECT_TRUE(std::filesystem::exists(bad));
    EXPECT_EQ(firmante::testing::readFile(bad.string()),
              "{\"renewalId\": \"brokenRenewal\", \"sta");
}

TEST_F(RenewalJournalFile, StatusListsEveryRenewalWithItsStep) {
    const std::string first = begin().at("renewalId");
    const std::string second = begin().at("renewalId");
    EXPECT_NE(first, second);
    const json all = manager().status(std::nullopt).at("renewals");
    ASSERT_EQ(all.size(), 2u);
    for (const auto& r : all) {
        EXPECT_EQ(r.at("state"), "begun");
        EXPECT_EQ(r.at("step"), 1);
        EXPECT_EQ(r.at("next"), "renewal.sign_letter con stage=acceptance");
        EXPECT_EQ(r.at("token").at("label"), hsm_.label());
    }
}

}  // namespace
}  // namespace firmante::renewal::testing
