// --json on every verb, human output, help, languages, exit codes, and no PIN anywhere.
#include "CliTest.h"

namespace firmante::cli::test {
namespace {

class CliOutput : public CliTest {};

TEST_F(CliOutput, EveryVerbPrintsOneJsonDocumentAndNeverThePin) {
    // A PIN no hash, serial or date could contain by chance.
    const std::string pin = "Pin-Secreto-7Qx";
    tool({"pkcs11-tool", "--module", firmante::testing::SoftHsmToken::modulePath(), "--login",
          "--pin", firmante::testing::SoftHsmToken::kUserPin, "--change-pin", "--new-pin", pin});
    makeCa();
    writeFile(path("doc.txt"), "documento");
    tool({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
          "-nodes", "-keyout", path("old.key"), "-out", path("old.pem"), "-subj", "/CN=Viejo"});
    tool({"openssl", "pkcs12", "-export", "-in", path("old.pem"), "-inkey", path("old.key"), "-out",
          path("old.pfx"), "-passout", "pass:clave-pfx"});

    std::vector<ProcessResult> results;
    auto step = [&](ProcessResult r, int expectedExit) {
        EXPECT_EQ(r.exitCode, expectedExit) << r.out << r.err;
        auto doc = json(r);
        EXPECT_TRUE(doc.is_object());
        results.push_back(r);
        return doc;
    };
    step(plain({"tokens", "--json"}), 0);
    auto key = step(withPin({"keygen", "--type", "ec-p256", "--label", "j", "--json"}, pin), 0);
    std::string keyUri = key.at("key").value("uri", "");
    step(withPin({"keys", "--json"}, pin), 0);
    step(withPin({"csr", "--key", keyUri, "--subject", "/CN=J", "--out", path("j.csr"), "--json"},
                 pin),
         0);
    tool({"openssl", "x509", "-req", "-in", path("j.csr"), "-CA", path("ca.pem"), "-CAkey",
          path("ca.key"), "-CAcreateserial", "-out", path("j.pem"), "-days", "3"});
    auto imported = step(withPin({"import-cert", "--in", path("j.pem"), "--json"}, pin), 0);
    std::string certUri = imported.at("certificate").value("uri", "");
    step(plain({"certs", "--json"}), 0);
    step(withPin({"certs", "--json"}, pin), 0);
    step(withPin({"sign", "--cert", certUri, "--in", path("doc.txt"), "--out", path("doc.p7s"),
                  "--json"},
                 pin),
         0);
    step(plain({"verify", "--in", path("doc.txt"), "--sig", path("doc.p7s"), "--json"}), 0);
    step(runWithSecrets({FIRMANTE_CLI, "import-pfx", "--in", path("old.pfx"), "--json", "--pin-fd",
                         "{fd0}", "--password-fd", "{fd1}"},
                        {pin, "clave-pfx"}, env()),
         0);
    step(plain({"renew", "--portal", "http://127.0.0.1:1", "--json"}), 8);
    step(plain({"keygen", "--type", "nope", "--label", "x", "--json"}), 1);
    step(plain({"frobnicate", "--json"}), 1);
    step(withPin({"keys", "--json"}, "Otro-PIN-malo-3Zr"), 2);

    for (const auto& r : results) {
        EXPECT_EQ(r.out.find(pin), std::string::npos) << r.out;
        EXPECT_EQ(r.err.find(pin), std::string::npos) << r.err;
        EXPECT_EQ(r.out.find("clave-pfx"), std::string::npos);
        EXPECT_EQ(r.out.find("Otro-PIN-malo"), std::string::npos);
        EXPECT_EQ(r.err.find("Otro-PIN-malo"), std::string::npos);
    }
}

TEST_F(CliOutput, ErrorsGoToStderrAsReasonAndMessageAndToStdoutAsJson) {
    // No portal listens on port 1: renew stops before touching the token.
    auto r = plain({"renew", "--portal", "http://127.0.0.1:1", "--json"});
    EXPECT_EQ(r.exitCode, 8);
    EXPECT_TRUE(r.err.starts_with("firmante: PORTAL_ERROR: ")) << r.err;
    auto doc = json(r);
    EXPECT_EQ(doc.at("error").at("reason"), "PORTAL_ERROR");
    EXPECT_FALSE(doc.at("error").at("message").get<std::string>().empty());

    auto human = plain({"renew", "--portal", "http://127.0.0.1:1"});
    EXPECT_EQ(human.exitCode, 8);
    EXPECT_TRUE(human.out.empty()) << human.out;
}

TEST_F(CliOutput, TokensShowsATableWithLabelAndUri) {
    auto r = plain({"tokens"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("Etiqueta"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Firmante Test"), std::string::npos);
    EXPECT_NE(r.out.find("pkcs11:token=Firmante%20Test;manufacturer=SoftHSM%20project"),
              std::string::npos)
        << r.out;
    auto doc = json(plain({"tokens", "--json"}));
    ASSERT_EQ(doc.at("tokens").size(), 1u);
    for (const char* field : {"uri", "label", "manufacturer", "model", "serial", "pinpad",
                              "pinCountLow", "pinFinalTry", "pinLocked"})
        EXPECT_TRUE(doc.at("tokens")[0].contains(field)) << field;
}

TEST_F(CliOutput, SeveralTokensNeedTokenAndTheLabelSelectsOne) {
    token_.addToken("Segundo");
    auto ambiguous = withPin({"keys", "--json"});
    EXPECT_EQ(ambiguous.exitCode, 1) << ambiguous.err;
    EXPECT_EQ(json(ambiguous).at("error").at("reason"), "INVALID_PARAMS");
    auto chosen =
        withPin({"keygen", "--type", "ec-p256", "--label", "s", "--token", "Segundo", "--json"});
    ASSERT_EQ(chosen.exitCode, 0) << chosen.err;
    EXPECT_TRUE(
        json(chosen).at("key").at("uri").get<std::string>().starts_with("pkcs11:token=Segundo;"));
}

TEST_F(CliOutput, EveryVerbHasHelpInSpanishAndEnglish) {
    for (const char* verb : {"tokens", "certs", "keys", "keygen", "csr", "sign", "verify",
                             "import-cert", "import-pfx", "renew"}) {
        SCOPED_TRACE(verb);
        auto es = plain({verb, "--help"});
        EXPECT_EQ(es.exitCode, 0);
        EXPECT_NE(es.out.find(std::string("Uso: firmante ") + verb), std::string::npos) << es.out;
        auto en = plain({verb, "--help"}, {{"LANG", "en_US.UTF-8"}});
        EXPECT_EQ(en.exitCode, 0);
        EXPECT_NE(en.out.find(std::string("Usage: firmante ") + verb), std::string::npos) << en.out;
    }
    auto overview = plain({"--help"});
    EXPECT_EQ(overview.exitCode, 0);
    EXPECT_NE(overview.out.find("import-pfx"), std::string::npos);
}

TEST_F(CliOutput, LcAllTakesPrecedenceOverLang) {
    auto r =
        plain({"renew", "--portal", "x"}, {{"LC_ALL", "en_GB.UTF-8"}, {"LANG", "es_MX.UTF-8"}});
    EXPECT_NE(r.err.find("--portal must be"), std::string::npos) << r.err;
    auto es = plain({"renew", "--portal", "x"}, {{"LC_ALL", "es_MX.UTF-8"}, {"LANG", "en_US"}});
    EXPECT_NE(es.err.find("--portal debe ser"), std::string::npos) << es.err;
}

// One language rule with the agent's windows and prompts (firmante/prompt/Language.h): another
// language than Spanish reads English, and a C locale says nothing about its reader.
TEST_F(CliOutput, ALocaleOfAnotherLanguageReadsEnglishAndTheCLocaleSpanish) {
    auto fr = plain({"renew", "--portal", "x"}, {{"LC_ALL", "fr_FR.UTF-8"}});
    EXPECT_NE(fr.err.find("--portal must be"), std::string::npos) << fr.err;
    auto c = plain({"renew", "--portal", "x"}, {{"LC_ALL", "C.UTF-8"}});
    EXPECT_NE(c.err.find("--portal debe ser"), std::string::npos) << c.err;
}

TEST_F(CliOutput, UsageErrorsExitWithOne) {
    EXPECT_EQ(plain({}).exitCode, 1);
    EXPECT_EQ(plain({"frobnicate"}).exitCode, 1);
    EXPECT_EQ(plain({"tokens", "--bogus"}).exitCode, 1);
    EXPECT_EQ(plain({"keygen", "--type"}).exitCode, 1);
    EXPECT_EQ(plain({"keygen", "--label", "x"}).exitCode, 1);  // --type missing
    EXPECT_EQ(plain({"keys", "--pin-fd", "abc"}).exitCode, 1);
    auto r = plain({"csr", "--key", "not-a-uri", "--subject", "/CN=x", "--out", path("x")});
    EXPECT_EQ(r.exitCode, 1) << r.err;
}

TEST_F(CliOutput, ModuleFlagOverridesEnvironmentAndAMissingModuleIsModuleNotFound) {
    auto bad = plain({"tokens", "--json"}, {{"FIRMANTE_MODULE", path("missing.so")}});
    EXPECT_EQ(bad.exitCode, 5) << bad.err;
    EXPECT_EQ(json(bad).at("error").at("reason"), "MODULE_NOT_FOUND");
    auto good =
        plain({"tokens", "--json", "--module", firmante::testing::SoftHsmToken::modulePath()},
              {{"FIRMANTE_MODULE", path("missing.so")}});
    EXPECT_EQ(good.exitCode, 0) << good.err;
    EXPECT_EQ(json(good).at("moduleSource"), "--module");
}

TEST_F(CliOutput, ConfigFileNamesTheModuleWhenNoEnvironmentDoes) {
    writeFile(path("config.json"),
              "{\"module\": \"" + firmante::testing::SoftHsmToken::modulePath() + "\"}");
    auto r = plain({"tokens", "--json"},
                   {{"FIRMANTE_MODULE", ""}, {"FIRMANTE_CONFIG", path("config.json")}});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(json(r).at("moduleSource"), "config");
}

}  // namespace
}  // namespace firmante::cli::test
