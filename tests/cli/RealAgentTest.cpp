// tokens, certs and sign through the real firmante-agent: the CLI relays, the agent asks for the
// PIN in its own prompt (here the stand-in pinentry), and the signature is checked with openssl.
#include "CliTest.h"
#include "RealAgent.h"

namespace firmante::cli::test {
namespace {

class CliRealAgent : public CliTest {
  protected:
    std::map<std::string, std::string> agentEnv() {
        std::filesystem::create_directories(path("run"));
        return {{"FIRMANTE_SOCKET", path("run/agent.sock")},
                {"FIRMANTE_CONFIG", path("agent-config.json")},
                {"FIRMANTE_MODULE", SoftHsmToken::modulePath()},
                {"FIRMANTE_WS_PORT", "0"},
                {"XDG_STATE_HOME", path("state")},
                {"XDG_CONFIG_HOME", path("agent-xdg")},
                {"XDG_RUNTIME_DIR", path("run")},
                {"FIRMANTE_PINENTRY", std::string(FIRMANTE_CLI_TEST_DIR) + "/fake-pinentry"},
                {"FAKE_PINENTRY_LOG", path("agent-pinentry.log")},
                {"FAKE_PINENTRY_PIN", SoftHsmToken::kUserPin}};
    }
    std::map<std::string, std::string> cliEnv() {
        return {{"FIRMANTE_SOCKET", path("run/agent.sock")}};
    }
    // Set the token up directly first, as the CLI does without an agent: an EC key labelled
    // `label` and a certificate from the test CA for `subject`. Returns the certificate's URI.
    std::string provision(const std::string& label, const std::string& subject) {
        makeCa();
        auto key = keygen("ec-p256", label);
        auto cert = issueCertificate(key, subject, label);
        auto imported = withPin({"import-cert", "--in", cert, "--json"});
        EXPECT_EQ(imported.exitCode, 0) << imported.err;
        return json(imported).at("certificate").at("uri");
    }
    void startAgent() {
        writeFile(path("agent-config.json"), "{}");
        agent_.emplace(path("run/agent.sock"), agentEnv(), path("agent.stderr"));
        agent_->start();
    }
    // openssl's verdict on a detached CMS signature over `content`, from the test CA.
    bool opensslVerifies(const std::string& p7s, const std::string& content) {
        auto verified = tool({"openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", p7s,
                              "-content", content, "-CAfile", path("ca.pem"), "-out", "/dev/null"});
        EXPECT_NE(verified.err.find("Verification successful"), std::string::npos) << verified.err;
        return verified.exitCode == 0;
    }

    std::optional<RealAgent> agent_;
};

TEST_F(CliRealAgent, TokensCertsAndSignGoThroughTheAgentWhichAsksForThePin) {
    const std::string certUri = provision("agente", "/CN=Firma por Agente/O=Ejemplo");
    ASSERT_FALSE(HasFailure());
    ASSERT_NO_THROW(startAgent());

    auto tokens = plain({"tokens", "--json"}, cliEnv());
    ASSERT_EQ(tokens.exitCode, 0) << tokens.err << readFile(path("agent.stderr"));
    auto t = json(tokens);
    EXPECT_EQ(t.at("via"), "agent");
    ASSERT_FALSE(t.at("tokens").empty());
    EXPECT_EQ(t.at("tokens").at(0).at("label"), "Firmante Test");

    auto certs = plain({"certs", "--json"}, cliEnv());
    ASSERT_EQ(certs.exitCode, 0) << certs.err;
    auto c = json(certs);
    EXPECT_EQ(c.at("via"), "agent");
    bool found = false;
    for (const auto& entry : c.at("certificates"))
        found = found || entry.at("subject") == "O=Ejemplo,CN=Firma por Agente";
    EXPECT_TRUE(found) << c.dump(2);

    writeFile(path("carta.txt"), "Carta firmada a través del agente\n");
    auto signedByAgent = plain({"sign", "--cert", certUri, "--in", path("carta.txt"), "--out",
                                path("carta.p7s"), "--json"},
                               cliEnv());
    ASSERT_EQ(signedByAgent.exitCode, 0) << signedByAgent.err << readFile(path("agent.stderr"));
    EXPECT_EQ(json(signedByAgent).at("via"), "agent");
    opensslVerifies(path("carta.p7s"), path("carta.txt"));
    auto printed =
        tool({"openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", path("carta.p7s")});
    EXPECT_NE(printed.out.find("id-smime-aa-signingCertificateV2"), std::string::npos);

    // The PIN was asked by the agent's own prompt, naming the file; the CLI never asked.
    auto asked = readFile(path("agent-pinentry.log"));
    EXPECT_NE(asked.find("GETPIN"), std::string::npos) << asked;
    EXPECT_NE(asked.find("carta.txt"), std::string::npos) << asked;
}

}  // namespace

// Issue 12 §4: several --in through the agent are one documents.sign_batch: one prompt listing
// the files, one PIN, and each signature verifies with openssl.
TEST_F(CliRealAgent, SeveralInputsGoThroughTheAgentAsOneBatchWithOnePrompt) {
    const std::string certUri = provision("lote", "/CN=Firma en Lote/O=Ejemplo");
    ASSERT_FALSE(HasFailure());
    ASSERT_NO_THROW(startAgent());

    std::filesystem::create_directories(path("firmas"));
    std::vector<std::string> argv{"sign", "--cert", certUri, "--out-dir", path("firmas"), "--json"};
    for (int i = 1; i <= 3; ++i) {
        const auto doc = path("factura" + std::to_string(i) + ".txt");
        writeFile(doc, "Factura " + std::to_string(i) + "\n");
        argv.push_back("--in");
        argv.push_back(doc);
    }
    auto r = plain(argv, cliEnv());
    ASSERT_EQ(r.exitCode, 0) << r.err << readFile(path("agent.stderr"));
    EXPECT_EQ(json(r).at("via"), "agent");
    for (int i = 1; i <= 3; ++i) {
        const auto name = "factura" + std::to_string(i) + ".txt";
        opensslVerifies(path("firmas/" + name + ".p7s"), path(name));
    }
    auto asked = readFile(path("agent-pinentry.log"));
    std::size_t pins = 0;
    for (auto at = asked.find("GETPIN"); at != std::string::npos; at = asked.find("GETPIN", at + 1))
        ++pins;
    EXPECT_EQ(pins, 1u) << asked;
    EXPECT_NE(asked.find("factura3.txt"), std::string::npos) << asked;
}

}  // namespace firmante::cli::test
