// csr: a PKCS#10 request signed on the token, checked with `openssl req -verify`.
#include "CliTest.h"

namespace firmante::cli::test {
namespace {

class CliCsr : public CliTest {};

TEST_F(CliCsr, RequestVerifiesWithOpenSslAndCarriesTheRequestedSubject) {
    for (const char* type : {"rsa-2048", "ec-p384"}) {
        SCOPED_TRACE(type);
        auto key = keygen(type, std::string("csr-") + type);
        ASSERT_FALSE(key.empty());
        auto out = path(std::string("req-") + type + ".pem");
        auto r = withPin({"csr", "--key", key, "--subject",
                          "/CN=Juan Pérez López/O=Patrón Ejemplo SA de CV/C=MX", "--out", out,
                          "--json"});
        ASSERT_EQ(r.exitCode, 0) << r.err;
        auto doc = json(r);
        EXPECT_EQ(doc.at("csr").get<std::string>(), readFile(out));
        EXPECT_EQ(doc.at("key").get<std::string>(), key);

        auto verify = tool({"openssl", "req", "-verify", "-noout", "-in", out, "-subject",
                            "-nameopt", "utf8,sep_comma_plus_space"});
        EXPECT_NE((verify.out + verify.err).find("verify OK"), std::string::npos)
            << verify.out << verify.err;
        EXPECT_NE(verify.out.find("subject=CN=Juan Pérez López, O=Patrón Ejemplo SA de CV, C=MX"),
                  std::string::npos)
            << verify.out;
    }
}

TEST_F(CliCsr, RequestCarriesTheTokenKeysPublicKey) {
    auto r = withPin({"keygen", "--type", "ec-p256", "--label", "pub", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto key = json(r).at("key");
    auto out = path("req.pem");
    ASSERT_EQ(
        withPin({"csr", "--key", key.at("uri"), "--subject", "CN=Ana, O=Prueba", "--out", out})
            .exitCode,
        0);
    // openssl prints the request's public key as PEM; its base64 body is the SPKI we reported.
    auto pub = tool({"openssl", "req", "-in", out, "-noout", "-pubkey"});
    std::string body;
    for (char c : pub.out)
        if (c != '\n') body += c;
    EXPECT_NE(body.find(key.at("spki").get<std::string>()), std::string::npos) << pub.out;
}

TEST_F(CliCsr, UnknownKeyIsKeyNotFound) {
    auto r = withPin({"csr", "--key", "pkcs11:token=Firmante%20Test;id=%99;type=private",
                      "--subject", "/CN=x", "--out", path("x.pem"), "--json"});
    EXPECT_EQ(r.exitCode, 6) << r.err;
    EXPECT_EQ(json(r).at("error").at("reason"), "KEY_NOT_FOUND");
}

}  // namespace
}  // namespace firmante::cli::test
