// sign and verify: detached CMS checked with `openssl cms`, and firmante verify on a changed byte.
#include <filesystem>

#include "CliTest.h"

namespace firmante::cli::test {
namespace {

class CliSign : public CliTest {
  protected:
    /// A key and a CA-issued certificate on the token; returns the certificate's URI.
    std::string certificateOnToken(const std::string& type) {
        makeCa();
        auto key = keygen(type, "firma");
        auto cert = issueCertificate(key, "/CN=Patrón Firmante/O=Ejemplo SA/C=MX", "firma");
        auto r = withPin({"import-cert", "--in", cert, "--json"});
        EXPECT_EQ(r.exitCode, 0) << r.err;
        return json(r).at("certificate").value("uri", "");
    }
};

TEST_F(CliSign, SignatureVerifiesWithOpenSslAndCarriesSigningCertificateV2) {
    for (const char* type : {"rsa-2048", "ec-p256"}) {
        SCOPED_TRACE(type);
        auto certUri = certificateOnToken(type);
        ASSERT_FALSE(certUri.empty());
        auto doc = path("carta.pdf");
        // Binary bytes after the text: a NUL and 0xff must be signed as they are.
        static constexpr char kLetter[] = "%PDF-1.4 carta de aceptación\0\x01\xff";
        writeFile(doc, std::string(kLetter, sizeof kLetter - 1));
        auto sig = path("carta.pdf.p7s");
        auto r = withPin({"sign", "--cert", certUri, "--in", doc, "--out", sig, "--json"});
        ASSERT_EQ(r.exitCode, 0) << r.err;
        auto out = json(r);
        EXPECT_EQ(out.at("out"), sig);
        EXPECT_EQ(out.at("documentSha256").get<std::string>().size(), 64u);

        auto verified = tool({"openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig,
                              "-content", doc, "-CAfile", path("ca.pem"), "-out", "/dev/null"});
        EXPECT_NE(verified.err.find("Verification successful"), std::string::npos) << verified.err;
        auto printed = tool({"openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", sig});
        EXPECT_NE(printed.out.find("id-smime-aa-signingCertificateV2"), std::string::npos);
        EXPECT_NE(printed.out.find("signingTime"), std::string::npos);
        EXPECT_NE(printed.out.find("messageDigest"), std::string::npos);
        // Detached: the document itself is not inside the signature.
        EXPECT_NE(printed.out.find("eContent: <ABSENT>"), std::string::npos);
    }
}

TEST_F(CliSign, VerifyAcceptsTheSignatureAndRejectsAOneByteChange) {
    auto certUri = certificateOnToken("ec-p256");
    auto doc = path("doc.txt");
    writeFile(doc, "Carta de aceptación, folio 12345\n");
    auto sig = path("doc.txt.p7s");
    ASSERT_EQ(withPin({"sign", "--cert", certUri, "--in", doc, "--out", sig}).exitCode, 0);

    auto ok = plain({"verify", "--in", doc, "--sig", sig, "--ca", path("ca.pem"), "--json"});
    ASSERT_EQ(ok.exitCode, 0) << ok.err;
    auto v = json(ok);
    EXPECT_TRUE(v.at("valid"));
    EXPECT_TRUE(v.at("signingCertificateV2"));
    EXPECT_TRUE(v.at("chainVerified"));
    EXPECT_NE(v.at("signer").get<std::string>().find("CN=Patrón Firmante"), std::string::npos);
    EXPECT_TRUE(v.at("signingTime").is_string());

    auto human = plain({"verify", "--in", doc, "--sig", sig});
    EXPECT_EQ(human.exitCode, 0);
    EXPECT_NE(human.out.find("La firma es válida"), std::string::npos) << human.out;
    EXPECT_NE(human.out.find("signing-certificate-v2:   presente"), std::string::npos) << human.out;
    EXPECT_NE(human.out.find("Hora de firma:"), std::string::npos);

    auto changed = readFile(doc);
    changed[10] ^= 0x01;
    auto tampered = path("tampered.txt");
    writeFile(tampered, changed);
    auto bad = plain({"verify", "--in", tampered, "--sig", sig});
    EXPECT_EQ(bad.exitCode, 7);
    EXPECT_NE(bad.err.find("firmante: SIGNATURE_INVALID: "), std::string::npos) << bad.err;
    auto badJson = plain({"verify", "--in", tampered, "--sig", sig, "--json"});
    EXPECT_EQ(json(badJson).at("error").at("reason"), "SIGNATURE_INVALID");
}

TEST_F(CliSign, PinentryPromptNamesTokenFileAndSha256AndPinIsNeverInCommandLine) {
    auto certUri = certificateOnToken("ec-p256");
    auto doc = path("contrato.txt");
    writeFile(doc, "abc");
    auto log = path("pinentry.log");
    auto r = plain({"sign", "--cert", certUri, "--in", doc, "--out", path("c.p7s")},
                   {{"FIRMANTE_PINENTRY", std::string(FIRMANTE_CLI_TEST_DIR) + "/fake-pinentry"},
                    {"FAKE_PINENTRY_LOG", log},
                    {"FAKE_PINENTRY_PIN", firmante::testing::SoftHsmToken::kUserPin}});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto asked = readFile(log);
    EXPECT_NE(asked.find("SETDESC "), std::string::npos) << asked;
    EXPECT_NE(asked.find("Firmante Test"), std::string::npos) << asked;
    EXPECT_NE(asked.find("contrato.txt"), std::string::npos) << asked;
    // SHA-256("abc")
    EXPECT_NE(asked.find("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
              std::string::npos)
        << asked;
    EXPECT_NE(asked.find("GETPIN"), std::string::npos);
    // What the process's own command line showed while the PIN was being asked for.
    auto cmdline = readFile(log + ".cmdline");
    EXPECT_NE(cmdline.find("sign"), std::string::npos) << cmdline;
    EXPECT_EQ(cmdline.find(firmante::testing::SoftHsmToken::kUserPin), std::string::npos);
}

TEST_F(CliSign, ExpiredCertificateIsRefusedUnlessAllowExpiredIsGiven) {
    makeCa();
    auto key = keygen("ec-p256", "vencida");
    // -days -1: notAfter one day before notBefore, so the certificate is already expired.
    auto cert = issueCertificate(key, "/CN=Vencido", "vencido", "-1");
    auto imported = withPin({"import-cert", "--in", cert, "--json"});
    ASSERT_EQ(imported.exitCode, 0) << imported.err;
    auto stored = json(imported).at("certificate");
    EXPECT_TRUE(stored.at("expired"));
    writeFile(path("d.txt"), "letter");

    auto refused = withPin({"sign", "--cert", stored.at("uri"), "--in", path("d.txt"), "--out",
                            path("d.p7s"), "--json"});
    EXPECT_EQ(refused.exitCode, 7) << refused.err;
    EXPECT_EQ(json(refused).at("error").at("reason"), "CERTIFICATE_EXPIRED");
    EXPECT_FALSE(std::filesystem::exists(path("d.p7s")));

    auto allowed = withPin({"sign", "--cert", stored.at("uri"), "--in", path("d.txt"), "--out",
                            path("d.p7s"), "--allow-expired"});
    ASSERT_EQ(allowed.exitCode, 0) << allowed.err;
    EXPECT_NE(allowed.err.find("vencido"), std::string::npos) << allowed.err;
    auto verified = plain({"verify", "--in", path("d.txt"), "--sig", path("d.p7s")});
    EXPECT_EQ(verified.exitCode, 0) << verified.err;
}

TEST_F(CliSign, UnknownCertificateIsCertificateNotFoundWithoutAskingForPin) {
    auto doc = path("d.txt");
    writeFile(doc, "x");
    // No --pin-fd, no pinentry, no terminal: had it asked for a PIN it would be INVALID_PARAMS.
    auto r = plain({"sign", "--cert", "pkcs11:token=Firmante%20Test;id=%42;type=cert", "--in", doc,
                    "--out", path("d.p7s"), "--json"});
    EXPECT_EQ(r.exitCode, 6) << r.err;
    EXPECT_EQ(json(r).at("error").at("reason"), "CERTIFICATE_NOT_FOUND");
}

}  // namespace

// Issue 12 §4: several --in, one PIN (the pinentry is asked once), a signature per file that
// openssl accepts for that file only; --out with several files and a clash are refused first.
TEST_F(CliSign, SeveralInputsAreSignedAfterOnePinEachNextToItsFile) {
    auto certUri = certificateOnToken("ec-p256");
    std::vector<std::string> docs;
    for (int i = 1; i <= 5; ++i) {
        docs.push_back(path("doc" + std::to_string(i) + ".txt"));
        writeFile(docs.back(), "Documento número " + std::to_string(i) + "\n");
    }
    auto log = path("pinentry.log");
    const std::map<std::string, std::string> env{
        {"FIRMANTE_PINENTRY", std::string(FIRMANTE_CLI_TEST_DIR) + "/fake-pinentry"},
        {"FAKE_PINENTRY_LOG", log},
        {"FAKE_PINENTRY_PIN", firmante::testing::SoftHsmToken::kUserPin}};

    auto refused = plain(
        {"sign", "--cert", certUri, "--in", docs[0], "--in", docs[1], "--out", path("x.p7s")}, env);
    EXPECT_NE(refused.exitCode, 0);
    EXPECT_FALSE(std::filesystem::exists(log)) << "no PIN asked for a refused command line";
    std::filesystem::create_directories(path("otra"));
    writeFile(path("otra/doc1.txt"), "otro\n");
    auto clash = plain({"sign", "--cert", certUri, "--in", docs[0], "--in", path("otra/doc1.txt"),
                        "--out-dir", path("firmas")},
                       env);
    EXPECT_NE(clash.exitCode, 0);
    EXPECT_NE(clash.err.find("doc1.txt.p7s"), std::string::npos) << clash.err;
    EXPECT_FALSE(std::filesystem::exists(log));

    std::vector<std::string> argv{"sign", "--cert", certUri};
    for (const auto& d : docs) {
        argv.push_back("--in");
        argv.push_back(d);
    }
    argv.push_back("--json");
    auto r = plain(argv, env);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto asked = readFile(log);
    std::size_t pins = 0;
    for (auto at = asked.find("GETPIN"); at != std::string::npos; at = asked.find("GETPIN", at + 1))
        ++pins;
    EXPECT_EQ(pins, 1u) << asked;
    auto out = json(r);
    ASSERT_EQ(out.at("signatures").size(), docs.size());
    for (std::size_t i = 0; i < docs.size(); ++i) {
        EXPECT_EQ(out.at("signatures").at(i).at("out"), docs[i] + ".p7s");
        auto verified =
            tool({"openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", docs[i] + ".p7s",
                  "-content", docs[i], "-CAfile", path("ca.pem"), "-out", "/dev/null"});
        EXPECT_NE(verified.err.find("Verification successful"), std::string::npos) << verified.err;
        // run(), not tool(): this openssl is expected to fail.
        auto crossed =
            firmante::testing::run({"openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
                                    docs[i] + ".p7s", "-content", docs[(i + 1) % docs.size()],
                                    "-CAfile", path("ca.pem"), "-out", "/dev/null"});
        EXPECT_NE(crossed.exitCode, 0);
        EXPECT_EQ(crossed.err.find("Verification successful"), std::string::npos);
    }
}

}  // namespace firmante::cli::test

namespace firmante::cli::test {
namespace {

int countLines(const std::string& text, const std::string& prefix) {
    int n = 0;
    std::size_t at = 0;
    while ((at = text.find(prefix, at)) != std::string::npos) {
        if (at == 0 || text[at - 1] == '\n') ++n;
        at += prefix.size();
    }
    return n;
}

}  // namespace

// Issue 11 §4, directly on the token: a key made by OpenSC's pkcs11-tool with
// CKA_ALWAYS_AUTHENTICATE (SoftHSM refuses C_Sign without the context-specific login) asks the PIN
// again before each signature — the next line of --pin-fd, or a second pinentry prompt that says
// why — while a normal key asks once.
TEST_F(CliSign, AKeyThatWantsThePinForEachSignatureAsksTwiceAndSaysWhy) {
    makeCa();
    tool({"pkcs11-tool", "--module", firmante::testing::SoftHsmToken::modulePath(), "--token-label",
          token_.label(), "--login", "--pin", firmante::testing::SoftHsmToken::kUserPin,
          "--keypairgen", "--key-type", "EC:prime256v1", "--id", "77", "--label", "calificada",
          "--always-auth"});
    const std::string keyUri = "pkcs11:token=Firmante%20Test;id=%77;type=private";
    auto keys = withPin({"keys", "--json"});
    ASSERT_EQ(keys.exitCode, 0) << keys.err;
    EXPECT_NE(keys.out.find("\"alwaysAuthenticate\": true"), std::string::npos) << keys.out;

    // One PIN line is not enough for a signature with this key; two are.
    auto req = path("calificada.csr");
    auto once = withPin({"csr", "--key", keyUri, "--subject", "/CN=Calificada/C=MX", "--out", req});
    EXPECT_NE(once.exitCode, 0);
    EXPECT_FALSE(std::filesystem::exists(req));
    auto twice = withPin({"csr", "--key", keyUri, "--subject", "/CN=Calificada/C=MX", "--out", req},
                         std::string(firmante::testing::SoftHsmToken::kUserPin) + "\n" +
                             firmante::testing::SoftHsmToken::kUserPin);
    ASSERT_EQ(twice.exitCode, 0) << twice.err;
    tool({"openssl", "req", "-in", req, "-verify", "-noout"});
    auto cert = path("calificada.pem");
    tool({"openssl", "x509", "-req", "-in", req, "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
          "-CAcreateserial", "-out", cert, "-days", "10"});
    auto imported = withPin({"import-cert", "--in", cert, "--json"});
    ASSERT_EQ(imported.exitCode, 0) << imported.err;
    const auto certUri = json(imported).at("certificate").value("uri", "");

    auto doc = path("acta.txt");
    writeFile(doc, "acta calificada");
    auto log = path("pinentry.log");
    const std::map<std::string, std::string> pinentry{
        {"FIRMANTE_PINENTRY", std::string(FIRMANTE_CLI_TEST_DIR) + "/fake-pinentry"},
        {"FAKE_PINENTRY_LOG", log},
        {"FAKE_PINENTRY_PIN", firmante::testing::SoftHsmToken::kUserPin}};
    auto r = plain({"sign", "--cert", certUri, "--in", doc, "--out", path("acta.p7s")}, pinentry);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    tool({"openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", path("acta.p7s"),
          "-content", doc, "-CAfile", path("ca.pem"), "-purpose", "any", "-out", "/dev/null"});
    auto asked = readFile(log);
    EXPECT_EQ(countLines(asked, "GETPIN"), 2) << asked;
    EXPECT_EQ(countLines(asked, "SETDESC "), 2) << asked;
    const auto second = asked.substr(asked.rfind("SETDESC "));
    EXPECT_NE(second.find("exige el PIN otra vez para cada firma"), std::string::npos) << second;

    // A normal key on the same token: one prompt.
    auto normalUri = certificateOnToken("ec-p256");
    writeFile(log, "");
    auto normal =
        plain({"sign", "--cert", normalUri, "--in", doc, "--out", path("normal.p7s")}, pinentry);
    ASSERT_EQ(normal.exitCode, 0) << normal.err;
    EXPECT_EQ(countLines(readFile(log), "GETPIN"), 1);
}

}  // namespace firmante::cli::test
