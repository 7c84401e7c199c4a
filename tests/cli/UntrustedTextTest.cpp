// A certificate subject is chosen by whoever issued the certificate: printed by the CLI it must
// not reorder or break the lines around it (RFC 4514 style hex pairs instead of raw runs).
#include "CliTest.h"

using namespace firmante::cli::test;

namespace {

const std::string kRlo = "\xE2\x80\xAE";            // U+202E RIGHT-TO-LEFT OVERRIDE
const std::string kLineSeparator = "\xE2\x80\xA8";  // U+2028
const std::string kZeroWidth = "\xE2\x80\x8B";      // U+200B

class CliUntrustedText : public CliTest {};

}  // namespace

TEST_F(CliUntrustedText, CertificateSubjectIsPrintedEscapedAndAccentsStayReadable) {
    makeCa();
    auto gen = withPin({"keygen", "--type", "ec-p256", "--label", "hostil", "--json"});
    ASSERT_EQ(gen.exitCode, 0) << gen.err;
    const auto key = json(gen).at("key");
    const auto cert = issueCertificate(
        key.at("uri"),
        "/CN=Patrón " + kRlo + "fdp.exe" + kLineSeparator + "Emisor: SAT" + kZeroWidth + "/C=MX",
        "hostil");
    auto imported = withPin({"import-cert", "--in", cert});
    ASSERT_EQ(imported.exitCode, 0) << imported.err;

    auto human = withPin({"certs"});
    ASSERT_EQ(human.exitCode, 0) << human.err;
    for (const auto& raw : {kRlo, kLineSeparator, kZeroWidth}) {
        EXPECT_EQ(human.out.find(raw), std::string::npos) << human.out;
        EXPECT_EQ(imported.out.find(raw), std::string::npos) << imported.out;
    }
    EXPECT_NE(human.out.find("CN=Patrón \\E2\\80\\AEfdp.exe\\E2\\80\\A8Emisor: SAT\\E2\\80\\8B"),
              std::string::npos)
        << human.out;
    // The JSON output is for programs: it keeps the subject as the certificate has it.
    auto listed = withPin({"certs", "--json"});
    ASSERT_EQ(listed.exitCode, 0) << listed.err;
    EXPECT_NE(json(listed).at("certificates").at(0).at("subject").get<std::string>().find(kRlo),
              std::string::npos);
}
