// keygen for every key type, checked by an independent PKCS#11 client (OpenSC's pkcs11-tool).
#include <sstream>

#include "CliTest.h"

namespace firmante::cli::test {
namespace {

/// The block pkcs11-tool prints for the private key labelled `label`.
std::string pkcs11ToolBlock(const std::string& listing, const std::string& label) {
    std::istringstream in(listing);
    std::string line, block, found;
    auto flush = [&] {
        if (block.find("  label:      " + label + "\n") != std::string::npos) found = block;
        block.clear();
    };
    while (std::getline(in, line)) {
        if (!line.empty() && line[0] != ' ') flush();
        block += line + "\n";
    }
    flush();
    return found;
}

class CliKeygen : public CliTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(CliKeygen, GeneratesSensitiveNeverExtractableLocalKeyThatPkcs11ToolConfirms) {
    const std::string type = GetParam();
    const std::string label = "key-" + type;
    auto r = withPin({"keygen", "--type", type, "--label", label, "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto key = json(r).at("key");
    EXPECT_EQ(key.at("algorithm"), type);
    EXPECT_EQ(key.at("label"), label);
    EXPECT_TRUE(key.at("uri").get<std::string>().starts_with("pkcs11:token=Firmante%20Test;"));
    EXPECT_TRUE(key.at("uri").get<std::string>().ends_with(";type=private"));
    EXPECT_EQ(key.at("spkiSha256").get<std::string>().size(), 64u);
    const auto& attrs = key.at("keyAttributes");
    EXPECT_TRUE(attrs.at("local"));
    EXPECT_TRUE(attrs.at("alwaysSensitive"));
    EXPECT_TRUE(attrs.at("neverExtractable"));
    EXPECT_FALSE(attrs.at("extractable"));
    EXPECT_TRUE(attrs.at("provenanceConfirmed"));
    if (type.starts_with("rsa")) {
        EXPECT_TRUE(key.at("spkiHex").get<std::string>().starts_with("03 82 0"));
    }

    // What a different PKCS#11 client reads from the token itself.
    auto listing = tool({"pkcs11-tool", "--module", firmante::testing::SoftHsmToken::modulePath(),
                         "--login", "--pin", firmante::testing::SoftHsmToken::kUserPin,
                         "--list-objects", "--type", "privkey"});
    auto block = pkcs11ToolBlock(listing.out, label);
    ASSERT_FALSE(block.empty()) << listing.out;
    EXPECT_NE(
        block.find(type.starts_with("rsa") ? "Private Key Object; RSA" : "Private Key Object; EC"),
        std::string::npos)
        << block;
    EXPECT_NE(block.find("Access:     sensitive, always sensitive, never extractable, local"),
              std::string::npos)
        << block;
    // pkcs11-tool prints the ID without separators; it must be the one in the URI we printed.
    EXPECT_NE(block.find("ID:         " + key.at("id").get<std::string>()), std::string::npos)
        << block;
}

INSTANTIATE_TEST_SUITE_P(Cli, CliKeygen,
                         ::testing::Values("rsa-2048", "rsa-3072", "rsa-4096", "ec-p256",
                                           "ec-p384"),
                         [](const auto& info) {
                             std::string name = info.param;
                             for (auto& c : name)
                                 if (c == '-') c = '_';
                             return name;
                         });

class CliKeygenHuman : public CliTest {};

TEST_F(CliKeygenHuman, PrintsUriSpkiDigestAndReadBackAttributesInSpanish) {
    auto r = withPin({"keygen", "--type", "ec-p256", "--label", "firma"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("Llave generada en el token «Firmante Test»"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("pkcs11:token=Firmante%20Test;"), std::string::npos);
    EXPECT_NE(r.out.find("SHA-256 de la llave pública"), std::string::npos);
    EXPECT_NE(r.out.find("Llave pública (spkiHex):       03 42 00 04 "), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("Nunca extraíble:               sí"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Extraíble:                     no"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("el token confirma que la llave se generó en él"), std::string::npos)
        << r.out;
}

// Issue 11 §5: a card that records no access flags (the fault module's no-access-flags, as the
// IsoApplet card) — keygen says in words that the token does not vouch for the key.
TEST_F(CliKeygenHuman, KeygenSaysPlainlyWhenTheTokenDoesNotVouchForTheKey) {
    firmante::testing::writeFile(path("faults"), "no-access-flags");
    const std::map<std::string, std::string> fault{{"FIRMANTE_MODULE", FIRMANTE_FAULT_MODULE},
                                                   {"FIRMANTE_FAULTS", path("faults")},
                                                   {"FIRMANTE_FAULTS_LOG", path("log")}};
    auto r = withPin({"keygen", "--type", "ec-p256", "--label", "tarjeta"},
                     firmante::testing::SoftHsmToken::kUserPin, fault);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("el token NO confirma que la llave se generó en él"), std::string::npos)
        << r.out;
    auto j = withPin({"keygen", "--type", "ec-p256", "--label", "tarjeta2", "--json"},
                     firmante::testing::SoftHsmToken::kUserPin, fault);
    ASSERT_EQ(j.exitCode, 0) << j.err;
    EXPECT_EQ(json(j).at("key").at("keyAttributes").at("provenanceConfirmed"), false) << j.out;
    EXPECT_EQ(json(j).at("key").at("keyAttributes").at("local"), false) << j.out;
}

TEST_F(CliKeygenHuman, RejectsUnknownKeyTypeAsUsageErrorWithoutAskingForPin) {
    auto r = plain({"keygen", "--type", "dsa-1024", "--label", "x"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("firmante: INVALID_PARAMS: "), std::string::npos) << r.err;
}

}  // namespace
}  // namespace firmante::cli::test
