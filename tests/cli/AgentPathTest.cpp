// tokens, certs and sign go through a running agent; --direct (and anything that names the token
// path) does not. Checked against a stand-in agent that records what the CLI sent.
#include <filesystem>

#include "CliTest.h"
#include "firmante/testing/FakeAgent.h"

namespace firmante::cli::test {
namespace {

using firmante::testing::FakeAgent;

nlohmann::json fakeToken() {
    return {{"uri", "pkcs11:token=Del%20Agente;serial=42"},
            {"label", "Del Agente"},
            {"manufacturer", "Agente"},
            {"model", "Falso"},
            {"serial", "42"},
            {"pinpad", false},
            {"pinCountLow", false},
            {"pinFinalTry", false},
            {"pinLocked", false}};
}

class CliAgentPath : public CliTest {
  protected:
    std::map<std::string, std::string> agentEnv() { return {{"FIRMANTE_SOCKET", path("a.sock")}}; }

    /// `firmante <args>` (with --json) beside the stand-in: its document, checked to have run
    /// well and gone `via` the agent or the token directly.
    nlohmann::json jsonVia(const std::vector<std::string>& args, const char* via) {
        auto r = plain(args, agentEnv());
        EXPECT_EQ(r.exitCode, 0) << r.err;
        auto doc = json(r);
        EXPECT_EQ(doc.value("via", ""), via) << doc.dump();
        return doc;
    }

    /// Answers the hello, then `methods` by name; anything else is METHOD_NOT_FOUND.
    FakeAgent::Answer answering(std::map<std::string, FakeAgent::Answer> methods) {
        return [methods](const nlohmann::json& request) -> nlohmann::json {
            const std::string method = request.value("method", "");
            if (method == "transport.hello") return FakeAgent::helloReply();
            if (auto it = methods.find(method); it != methods.end()) return it->second(request);
            return {{"jsonrpc", "2.0"},
                    {"id", request.at("id")},
                    {"error",
                     {{"code", -32601},
                      {"message", "no such method"},
                      {"data", {{"reason", "METHOD_NOT_FOUND"}}}}}};
        };
    }
};

TEST_F(CliAgentPath, TokensGoThroughTheAgentAfterACliHello) {
    FakeAgent agent(path("a.sock"),
                    answering({{"tokens.list", [](const auto& req) {
                                    return FakeAgent::result(req, {{"tokens", {fakeToken()}}});
                                }}}));
    agent.start();
    auto doc = jsonVia({"tokens", "--json"}, "agent");
    ASSERT_FALSE(HasFailure());
    EXPECT_EQ(doc.at("tokens").at(0).at("label"), "Del Agente");

    auto requests = agent.requests();
    ASSERT_EQ(requests.size(), 2u);
    const auto& hello = requests[0];
    EXPECT_EQ(hello.at("jsonrpc"), "2.0");
    EXPECT_EQ(hello.at("id"), "hello");
    EXPECT_EQ(hello.at("method"), "transport.hello");
    EXPECT_EQ(hello.at("params").at("transport"), "cli");
    EXPECT_EQ(hello.at("params").at("protocolVersion"), 1);
    EXPECT_FALSE(hello.at("params").contains("origin"));
    EXPECT_EQ(requests[1].at("method"), "tokens.list");

    auto human = plain({"tokens"}, agentEnv());
    ASSERT_EQ(human.exitCode, 0) << human.err;
    EXPECT_NE(human.out.find("Vía el agente firmante-agent 0.1.0-fake"), std::string::npos)
        << human.out;
    EXPECT_NE(human.out.find("Del Agente"), std::string::npos);
}

TEST_F(CliAgentPath, DirectFlagAndPinFdUseTheTokenEvenWhenAnAgentRuns) {
    FakeAgent agent(path("a.sock"), answering({}));
    agent.start();
    auto direct = jsonVia({"tokens", "--json", "--direct"}, "direct");
    ASSERT_FALSE(HasFailure());
    EXPECT_EQ(direct.at("tokens").at(0).at("label"), "Firmante Test");
    auto withFd =
        withPin({"certs", "--json"}, firmante::testing::SoftHsmToken::kUserPin, agentEnv());
    ASSERT_EQ(withFd.exitCode, 0) << withFd.err;
    EXPECT_EQ(json(withFd).at("via"), "direct");
    // Verbs without an agent method never connect either.
    auto keys = withPin({"keys", "--json"}, firmante::testing::SoftHsmToken::kUserPin, agentEnv());
    EXPECT_EQ(keys.exitCode, 0) << keys.err;
    EXPECT_EQ(agent.connections(), 0);
}

TEST_F(CliAgentPath, NoAgentListeningMeansTheTokenDirectly) {
    jsonVia({"tokens", "--json"}, "direct");  // nothing at a.sock
}

TEST_F(CliAgentPath, CertsPassTheTokenSelectorAndSkipNotifications) {
    FakeAgent agent(
        path("a.sock"),
        answering({{"certificates.list", [](const nlohmann::json& req) {
                        nlohmann::json notification{{"jsonrpc", "2.0"},
                                                    {"method", "tokens.changed"},
                                                    {"params", nlohmann::json::object()}};
                        nlohmann::json cert{{"uri", "pkcs11:token=X;id=%01;type=cert"},
                                            {"keyUri", nullptr},
                                            {"subject", "CN=Desde el agente"},
                                            {"issuer", "CN=CA"},
                                            {"serial", "01"},
                                            {"notBefore", "2026-01-01T00:00:00Z"},
                                            {"notAfter", "2027-01-01T00:00:00Z"},
                                            {"expired", false}};
                        return nlohmann::json::array(
                            {notification, FakeAgent::result(req, {{"certificates", {cert}}})});
                    }}}));
    agent.start();
    auto doc = jsonVia({"certs", "--token", "X", "--json"}, "agent");
    ASSERT_FALSE(HasFailure());
    EXPECT_EQ(doc.at("certificates").at(0).at("subject"), "CN=Desde el agente");
    auto requests = agent.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[1].at("method"), "certificates.list");
    EXPECT_EQ(requests[1].at("params").at("token"), "X");

    auto human = plain({"certs"}, agentEnv());
    ASSERT_EQ(human.exitCode, 0) << human.err;
    EXPECT_NE(human.out.find("Certificados:"), std::string::npos) << human.out;
    EXPECT_NE(human.out.find("CN=Desde el agente"), std::string::npos) << human.out;
}

TEST_F(CliAgentPath, SignSendsTheDocumentAndWritesTheAgentsCms) {
    const std::string cms("\x30\x80 firma del agente \x00\xff", 22);
    FakeAgent agent(path("a.sock"),
                    answering({{"documents.sign", [&](const nlohmann::json& req) {
                                    return FakeAgent::result(
                                        req, {{"cms", "MIAgZmlybWEgZGVsIGFnZW50ZSAA/w=="},
                                              {"documentSha256", "ab"},
                                              {"signer", "CN=Agente"}});
                                }}}));
    agent.start();
    writeFile(path("carta.pdf"), "hola");
    auto r = plain({"sign", "--cert", "pkcs11:token=X;id=%01;type=cert", "--in", path("carta.pdf"),
                    "--out", path("carta.p7s"), "--json"},
                   agentEnv());
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(readFile(path("carta.p7s")), cms);
    auto doc = json(r);
    EXPECT_EQ(doc.at("via"), "agent");
    EXPECT_EQ(doc.at("signer"), "CN=Agente");
    auto requests = agent.requests();
    ASSERT_EQ(requests.size(), 2u);
    const auto& params = requests[1].at("params");
    EXPECT_EQ(requests[1].at("method"), "documents.sign");
    EXPECT_EQ(params.at("certificate"), "pkcs11:token=X;id=%01;type=cert");
    EXPECT_EQ(params.at("document"), "aG9sYQ==");  // "hola"
    EXPECT_EQ(params.at("fileName"), "carta.pdf");
    EXPECT_FALSE(params.contains("pin"));
}

TEST_F(CliAgentPath, AgentErrorsKeepTheirReasonAndTriesHint) {
    FakeAgent agent(
        path("a.sock"),
        answering({{"documents.sign", [](const nlohmann::json& req) {
                        return nlohmann::json{
                            {"jsonrpc", "2.0"},
                            {"id", req.at("id")},
                            {"error",
                             {{"code", -32000},
                              {"message", "wrong PIN"},
                              {"data", {{"reason", "PIN_INCORRECT"}, {"triesLeft", 1}}}}}};
                    }}}));
    agent.start();
    writeFile(path("d.txt"), "x");
    auto r = plain({"sign", "--cert", "pkcs11:token=X;id=%01;type=cert", "--in", path("d.txt"),
                    "--out", path("d.p7s"), "--json"},
                   agentEnv());
    EXPECT_EQ(r.exitCode, 2) << r.err;
    auto error = json(r).at("error");
    EXPECT_EQ(error.at("reason"), "PIN_INCORRECT");
    EXPECT_EQ(error.at("triesLeft"), 1);
    EXPECT_TRUE(error.at("pinFinalTry"));
    EXPECT_NE(r.err.find("firmante: PIN_INCORRECT: wrong PIN"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(path("d.p7s")));
}

TEST_F(CliAgentPath, RefusedHelloIsReportedNotSilentlyBypassed) {
    FakeAgent agent(path("a.sock"), [](const nlohmann::json& req) -> nlohmann::json {
        return {{"jsonrpc", "2.0"},
                {"id", req.at("id")},
                {"error",
                 {{"code", -32000},
                  {"message", "protocol 1 not supported"},
                  {"data", {{"reason", "VERSION_MISMATCH"}}}}}};
    });
    agent.start();
    auto r = plain({"tokens", "--json"}, agentEnv());
    EXPECT_EQ(r.exitCode, 8) << r.err;
    EXPECT_EQ(json(r).at("error").at("reason"), "VERSION_MISMATCH");
}

}  // namespace
}  // namespace firmante::cli::test
