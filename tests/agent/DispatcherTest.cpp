// The dispatcher in-process (issue 10 §2), behind a token directory of the test's own: no module,
// no socket, no child process. What it checks is the method table's descriptors at work: which
// methods need an origin, what an extension page may call, and that a site the person refused
// through the extension is asked once, not on every request.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <future>
#include <string>

#include "firmante/agent/AgentStatus.h"
#include "firmante/agent/ConfigStore.h"
#include "firmante/agent/Dispatcher.h"
#include "firmante/agent/OriginPolicy.h"
#include "firmante/agent/RpcError.h"
#include "firmante/agent/TokenDirectory.h"
#include "firmante/agent/TrayMenuModel.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/prompt/Prompter.h"
#include "firmante/protocol/ReasonEnums.h"
#include "firmante/renewal/Authorizer.h"
#include "firmante/testing/Browser.h"
#include "firmante/testing/TempDir.h"

using namespace firmante;
using nlohmann::json;

namespace {

// No token is connected: a method that needs one fails with TOKEN_NOT_PRESENT (the directory's
// own lookup over no workers).
class NoTokens : public agent::TokenDirectory {
  public:
    std::vector<pkcs11::TokenInfo> snapshot() const override { return {}; }
    std::vector<std::shared_ptr<agent::TokenWorker>> workers() const override { return {}; }
    std::string modulePath() const override { return "/nowhere/fake-module.so"; }
};

// The person: answers every consent question with `allow`, and counts them.
class Person : public prompt::Prompter, public renewal::Authorizer {
  public:
    std::atomic<int> questions{0};
    bool allow = false;

    pkcs11::Secret askPin(const prompt::PromptText&) override {
        throw pkcs11::Error(pkcs11::Reason::UserCancelled, "no PIN in this test");
    }
    bool confirm(const prompt::PromptText&) override {
        ++questions;
        return allow;
    }
    void unlock(pkcs11::Token&, const renewal::OperationDescription&) override {
        throw pkcs11::Error(pkcs11::Reason::UserCancelled, "no PIN in this test");
    }
    void confirm(const renewal::OperationDescription&) override {
        throw pkcs11::Error(pkcs11::Reason::UserCancelled, "no PIN in this test");
    }
};

class DispatcherTest : public ::testing::Test {
  protected:
    firmante::testing::TempDir dir{"firmante-dispatcher"};
    Person person;
    NoTokens tokens;
    agent::ConfigStore config{dir / "config.json", agent::AgentConfig{}};
    agent::OriginPolicy origins{config, person};
    agent::Dispatcher dispatcher{tokens,           origins,         person,
                                 dir / "renewals", agent::Limits{}, {"unix", "native-messaging"}};

    // One request as the extension's relay forwards it: the page's origin in the request.
    static agent::ConnectionContext relay() {
        agent::ConnectionContext c;
        c.kind = agent::ConnectionContext::Kind::NativeMessaging;
        c.originPerRequest = true;
        c.ownExtensionRelay = true;
        c.browser = "chromium";
        c.extensionId = firmante::testing::kExtensionId;
        return c;
    }

    json call(const agent::ConnectionContext& connection, const std::string& method,
              const std::string& origin, json params = json::object()) {
        json request{{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}};
        if (!origin.empty()) request["origin"] = origin;
        auto answer = std::make_shared<std::promise<json>>();
        auto future = answer->get_future();
        dispatcher.handle(request.dump(), connection,
                          [answer](json response) { answer->set_value(std::move(response)); });
        if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
            ADD_FAILURE() << method << ": no answer within 10 s";
            return json::object();
        }
        return future.get();
    }

    static std::string reasonOf(const json& response) {
        if (!response.contains("error")) return "";
        return response["error"]["data"].value("reason", std::string());
    }
};

}  // namespace

TEST_F(DispatcherTest, AgentInfoNeedsNoOriginAndAsksNothing) {
    const auto response = call(relay(), "agent.info", "https://unknown.example");
    ASSERT_TRUE(response.contains("result")) << response.dump();
    EXPECT_EQ(response["result"]["module"], "/nowhere/fake-module.so");
    EXPECT_EQ(person.questions, 0);
}

TEST_F(DispatcherTest, ASiteRefusedThroughTheExtensionIsAskedOnce) {
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(reasonOf(call(relay(), "tokens.list", "https://portal.example")),
                  "ORIGIN_NOT_ALLOWED");
    }
    // The refusal covers the whole site, on every transport.
    EXPECT_EQ(reasonOf(call(relay(), "tokens.list", "https://other.portal.example")),
              "ORIGIN_NOT_ALLOWED");
    agent::ConnectionContext webSocket;
    webSocket.kind = agent::ConnectionContext::Kind::WebSocket;
    webSocket.origin = "https://portal.example";
    EXPECT_EQ(reasonOf(call(webSocket, "tokens.list", "")), "ORIGIN_NOT_ALLOWED");
    EXPECT_EQ(person.questions, 1);
}

TEST_F(DispatcherTest, AnAllowedSiteIsAskedOnceAndThenServed) {
    person.allow = true;
    const auto first = call(relay(), "tokens.list", "https://portal.example");
    ASSERT_TRUE(first.contains("result")) << first.dump();
    EXPECT_EQ(first["result"]["tokens"], json::array());
    EXPECT_EQ(reasonOf(call(relay(), "documents.sign", "https://portal.example",
                            {{"certificate", "pkcs11:token=nada"},
                             {"document", "SG9sYQ=="},
                             {"fileName", "a.pdf"}})),
              "TOKEN_NOT_PRESENT");
    EXPECT_EQ(person.questions, 1);
}

TEST_F(DispatcherTest, TheExtensionsOwnPageReadsWithoutAQuestionAndNeverSigns) {
    const std::string popup = firmante::testing::kExtensionOrigin;
    for (const char* read : {"tokens.list", "certificates.list", "renewal.status"}) {
        const auto response = call(relay(), read, popup);
        EXPECT_TRUE(response.contains("result")) << read << ": " << response.dump();
    }
    EXPECT_EQ(reasonOf(call(relay(), "documents.sign", popup,
                            {{"certificate", "pkcs11:token=nada"},
                             {"document", "SG9sYQ=="},
                             {"fileName", "a.pdf"}})),
              "ORIGIN_NOT_ALLOWED");
    // Another extension's page is a site like any other: it is asked about.
    EXPECT_EQ(reasonOf(call(relay(), "tokens.list",
                            "chrome-extension://bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")),
              "ORIGIN_NOT_ALLOWED");
    EXPECT_EQ(person.questions, 1);
}

TEST_F(DispatcherTest, TheRelayMustCarryThePageOriginAndUnknownMethodsAreNamed) {
    EXPECT_EQ(reasonOf(call(relay(), "tokens.list", "")), "INVALID_REQUEST");
    EXPECT_EQ(reasonOf(call(relay(), "tokens.list", "local")), "INVALID_REQUEST");
    EXPECT_EQ(reasonOf(call(relay(), "tokens.delete_all", "https://portal.example")),
              "METHOD_NOT_FOUND");
    EXPECT_EQ(person.questions, 0);
}

TEST_F(DispatcherTest, AConnectionsOwnOriginWinsOverOneARequestClaims) {
    // A page on the WebSocket (or a CLI acting for a portal) cannot become `local`, nor another
    // site, by naming an origin in its request: only the relay's requests carry one.
    agent::ConnectionContext webSocket;
    webSocket.kind = agent::ConnectionContext::Kind::WebSocket;
    webSocket.origin = "https://portal.example";
    EXPECT_EQ(reasonOf(call(webSocket, "tokens.list", "local")), "ORIGIN_NOT_ALLOWED");
    agent::ConnectionContext cli;
    cli.origin = "https://other.example";
    EXPECT_EQ(reasonOf(call(cli, "tokens.list", "local")), "ORIGIN_NOT_ALLOWED");
    EXPECT_EQ(person.questions, 2);
    // A transport that vouched for nothing runs nothing, and asks nothing.
    EXPECT_EQ(reasonOf(call(agent::ConnectionContext{}, "tokens.list", "local")),
              "INVALID_REQUEST");
    EXPECT_EQ(person.questions, 2);
}

TEST_F(DispatcherTest, AnotherRelayCarryingOriginsIsNotOurExtension) {
    // Only our native host (ownExtensionRelay) lets our popup read without a question; a relay
    // that merely carries origins does not.
    auto other = relay();
    other.ownExtensionRelay = false;
    EXPECT_EQ(reasonOf(call(other, "tokens.list", firmante::testing::kExtensionOrigin)),
              "ORIGIN_NOT_ALLOWED");
    EXPECT_EQ(person.questions, 1);
}

namespace {

// A journal an earlier run of the agent left: what renewal.status reads at start-up. Only the
// members the journal requires for `state` (no token is needed to list it).
void leaveJournal(const std::filesystem::path& dir, const std::string& id,
                  const std::string& state) {
    std::filesystem::create_directories(dir);
    const json journal{{"format", "firmante-renewal-journal"},
                       {"version", 2},
                       {"renewalId", id},
                       {"state", state},
                       {"origin", "https://idse.imss.example"},
                       {"created", "2026-12-01T17:02:00Z"},
                       {"updated", "2026-12-01T17:05:00Z"},
                       {"token", {{"label", "Token de la empresa"}, {"serial", "0001"}}},
                       {"oldCertificate",
                        {{"uri", "pkcs11:token=Token%20de%20la%20empresa;id=%01;type=cert"},
                         {"keyUri", "pkcs11:token=Token%20de%20la%20empresa;id=%01"}}},
                       {"newKey",
                        {{"label", "Firma renovada " + id},
                         {"uri", "pkcs11:token=Token%20de%20la%20empresa;id=%02"},
                         {"spki", "MAA="},
                         {"spkiHex", "30 00"}}}};
    std::ofstream(dir / (id + ".json")) << journal.dump(2);
}

}  // namespace

TEST(DispatcherStatus, ARenewalLeftUnfinishedInTheJournalIsInProgressBeforeAnyRequest) {
    firmante::testing::TempDir dir{"firmante-resumed"};
    leaveJournal(dir / "renewals", "renovacionPendiente", "begun");
    leaveJournal(dir / "renewals", "renovacionCancelada", "cancelled");
    Person person;
    NoTokens tokens;
    agent::ConfigStore config{dir / "config.json", agent::AgentConfig{}};
    agent::OriginPolicy origins{config, person};
    agent::Dispatcher dispatcher{tokens, origins, person, dir / "renewals", agent::Limits{}, {}};
    agent::AgentStatus status;
    ASSERT_EQ(status.snapshot().state, agent::TrayState::Idle);

    dispatcher.setStatus(&status);  // as the agent does at start, before serving anything
    const auto snapshot = status.snapshot();
    EXPECT_EQ(snapshot.state, agent::TrayState::Renewing);
    const auto now = std::chrono::system_clock::now();
    EXPECT_EQ(agent::trayTooltip(snapshot, now).es, "Firmante — Renovación en curso");
    EXPECT_EQ(agent::trayTooltip(snapshot, now).en, "Firmante — Renewal in progress");
    EXPECT_EQ(agent::trayMenu(snapshot, now).front().text.es, "Firmante — Renovación en curso");
    // Its end (renewal.finish or renewal.cancel succeeding) ends it as for one begun in this run.
    status.renewalActive("renovacionPendiente", false);
    EXPECT_EQ(status.snapshot().state, agent::TrayState::Idle) << "the cancelled one never counted";
    EXPECT_EQ(person.questions, 0);
}

TEST(DispatcherStatus, OnlyFinishedAndCancelledRenewalsInTheJournalLeaveTheTrayIdle) {
    firmante::testing::TempDir dir{"firmante-resumed"};
    leaveJournal(dir / "renewals", "renovacionCancelada", "cancelled");
    Person person;
    NoTokens tokens;
    agent::ConfigStore config{dir / "config.json", agent::AgentConfig{}};
    agent::OriginPolicy origins{config, person};
    agent::Dispatcher dispatcher{tokens, origins, person, dir / "renewals", agent::Limits{}, {}};
    agent::AgentStatus status;
    dispatcher.setStatus(&status);
    EXPECT_EQ(status.snapshot().state, agent::TrayState::Idle);
}
