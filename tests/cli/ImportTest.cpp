// import-cert and import-pfx, checked with certs, pkcs11-tool and openssl.
#include "CliTest.h"

namespace firmante::cli::test {
namespace {

class CliImportCert : public CliTest {};

TEST_F(CliImportCert, RefusesCertificateWhoseKeyIsNotOnTheToken) {
    makeCa();
    keygen("ec-p256", "otra");  // a key is there, just not this certificate's
    tool({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
          "-nodes", "-keyout", path("soft.key"), "-out", path("soft.csr"), "-subj", "/CN=Ajena"});
    tool({"openssl", "x509", "-req", "-in", path("soft.csr"), "-CA", path("ca.pem"), "-CAkey",
          path("ca.key"), "-CAcreateserial", "-out", path("soft.pem"), "-days", "5"});

    auto r = withPin({"import-cert", "--in", path("soft.pem"), "--json"});
    EXPECT_EQ(r.exitCode, 7) << r.err;
    EXPECT_EQ(json(r).at("error").at("reason"), "CERTIFICATE_MISMATCH");
    EXPECT_NE(r.err.find("firmante: CERTIFICATE_MISMATCH: "), std::string::npos) << r.err;

    auto certs = withPin({"certs", "--json"});
    ASSERT_EQ(certs.exitCode, 0) << certs.err;
    EXPECT_TRUE(json(certs).at("certificates").empty());
}

TEST_F(CliImportCert, LinksMatchingCertificateByIdAndCertsShowsItWithItsKey) {
    makeCa();
    auto gen = withPin({"keygen", "--type", "rsa-2048", "--label", "patron", "--json"});
    ASSERT_EQ(gen.exitCode, 0) << gen.err;
    auto key = json(gen).at("key");
    auto cert = issueCertificate(key.at("uri"), "/CN=Patrón/O=Ejemplo/C=MX", "patron");

    auto r = withPin({"import-cert", "--in", cert, "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto stored = json(r).at("certificate");
    EXPECT_EQ(stored.at("id"), key.at("id"));
    EXPECT_EQ(stored.at("keyUri"), key.at("uri"));

    // An independent client sees the certificate object under the key's CKA_ID.
    auto listing = tool({"pkcs11-tool", "--module", firmante::testing::SoftHsmToken::modulePath(),
                         "--list-objects", "--type", "cert"});
    EXPECT_NE(listing.out.find("ID:         " + key.at("id").get<std::string>()), std::string::npos)
        << listing.out;

    auto listed = withPin({"certs", "--json"});
    ASSERT_EQ(listed.exitCode, 0) << listed.err;
    auto certs = json(listed).at("certificates");
    ASSERT_EQ(certs.size(), 1u);
    EXPECT_EQ(certs[0].at("keyUri"), key.at("uri"));
    EXPECT_EQ(certs[0].at("subject"), "C=MX,O=Ejemplo,CN=Patrón");
    EXPECT_EQ(certs[0].at("issuer"), "O=Pruebas,CN=Firmante Test CA");
    EXPECT_FALSE(certs[0].at("expired"));
    EXPECT_FALSE(certs[0].at("serial").get<std::string>().empty());

    auto human = withPin({"certs"});
    ASSERT_EQ(human.exitCode, 0) << human.err;
    for (const char* expected : {"Sujeto:", "C=MX,O=Ejemplo,CN=Patrón", "Emisor:",
                                 "Número de serie:", "Válido hasta:", "Vencido:          no"})
        EXPECT_NE(human.out.find(expected), std::string::npos) << expected << "\n" << human.out;
    EXPECT_NE(human.out.find("Llave:            " + key.at("uri").get<std::string>()),
              std::string::npos)
        << human.out;
}

TEST_F(CliImportCert, FileThatIsNotACertificateIsUsageError) {
    writeFile(path("junk.pem"), "not a certificate");
    auto r = plain({"import-cert", "--in", path("junk.pem")});
    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_NE(r.err.find("INVALID_PARAMS"), std::string::npos) << r.err;
}

class CliImportPfx : public CliTest {
  protected:
    void makePfx(const std::string& password) {
        tool({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
              path("legacy.key"), "-out", path("legacy.pem"), "-subj",
              "/CN=Certificado Anterior/O=Viejo SA", "-days", "30"});
        tool({"openssl", "pkcs12", "-export", "-in", path("legacy.pem"), "-inkey",
              path("legacy.key"), "-out", path("legacy.pfx"), "-passout", "pass:" + password});
    }
};

TEST_F(CliImportPfx, ImportedKeyIsReportedNotLocalAndSignsVerifiably) {
    makePfx("contraseña-vieja");
    auto r = withPinAndPassword(
        {"import-pfx", "--in", path("legacy.pfx"), "--label", "anterior", "--json"},
        firmante::testing::SoftHsmToken::kUserPin, "contraseña-vieja");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto doc = json(r);
    const auto& key = doc.at("key");
    EXPECT_FALSE(key.at("keyAttributes").at("local"));
    // Issue 11: said plainly, not only as a flag.
    EXPECT_FALSE(key.at("keyAttributes").at("provenanceConfirmed"));
    EXPECT_FALSE(key.at("keyAttributes").at("extractable"));
    EXPECT_EQ(key.at("algorithm"), "rsa-2048");
    const auto& cert = doc.at("certificate");
    EXPECT_EQ(cert.at("subject"), "O=Viejo SA,CN=Certificado Anterior");
    EXPECT_EQ(cert.at("keyUri"), key.at("uri"));

    auto listing = tool({"pkcs11-tool", "--module", firmante::testing::SoftHsmToken::modulePath(),
                         "--login", "--pin", firmante::testing::SoftHsmToken::kUserPin,
                         "--list-objects", "--type", "privkey"});
    EXPECT_NE(listing.out.find("label:      anterior"), std::string::npos) << listing.out;
    EXPECT_EQ(listing.out.find(", local"), std::string::npos) << listing.out;

    writeFile(path("doc.txt"), "firmado con la llave importada");
    auto s = withPin(
        {"sign", "--cert", cert.at("uri"), "--in", path("doc.txt"), "--out", path("doc.p7s")});
    ASSERT_EQ(s.exitCode, 0) << s.err;
    auto verified =
        tool({"openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", path("doc.p7s"),
              "-content", path("doc.txt"), "-CAfile", path("legacy.pem"), "-out", "/dev/null"});
    EXPECT_NE(verified.err.find("Verification successful"), std::string::npos) << verified.err;
}

TEST_F(CliImportPfx, WrongPasswordIsPasswordIncorrectAndImportsNothing) {
    makePfx("correcta");
    auto r = withPinAndPassword({"import-pfx", "--in", path("legacy.pfx"), "--json"},
                                firmante::testing::SoftHsmToken::kUserPin, "equivocada");
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_EQ(json(r).at("error").at("reason"), "PASSWORD_INCORRECT");
    EXPECT_NE(r.err.find("firmante: PASSWORD_INCORRECT: "), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("equivocada"), std::string::npos);

    auto keys = withPin({"keys", "--json"});
    ASSERT_EQ(keys.exitCode, 0) << keys.err;
    EXPECT_TRUE(json(keys).at("keys").empty());
}

}  // namespace
}  // namespace firmante::cli::test
