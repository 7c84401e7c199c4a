// The tray's logic without widgets (issue 12 §1): when a certificate is announced, which state
// the icon shows, how much activity is kept and how it is shown, the menu's entries, and the
// config store forgetting a site.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "firmante/agent/ActivityLog.h"
#include "firmante/agent/AgentConfig.h"
#include "firmante/agent/AgentStatus.h"
#include "firmante/agent/ConfigStore.h"
#include "firmante/agent/TrayMenuModel.h"
#include "firmante/testing/Process.h"
#include "firmante/testing/TempDir.h"

using namespace firmante::agent;
using std::chrono::hours;
using std::chrono::seconds;
using Kind = TrayMenuEntry::Kind;

namespace {

const auto kNow = std::chrono::system_clock::from_time_t(1'796'000'000);  // 2026-11-30 00:53:20 UTC
constexpr auto kDay = hours(24);

// Dates are shown in local time: these tests read them in UTC.
class TrayModel : public ::testing::Test {
  protected:
    void SetUp() override {
        const char* tz = std::getenv("TZ");
        if (tz) savedTz_ = tz;
        hadTz_ = tz != nullptr;
        ::setenv("TZ", "UTC", 1);
        ::tzset();
    }
    void TearDown() override {
        if (hadTz_) {
            ::setenv("TZ", savedTz_.c_str(), 1);
        } else {
            ::unsetenv("TZ");
        }
        ::tzset();
    }

  private:
    bool hadTz_ = false;
    std::string savedTz_;
};

CertificateSummary certificate(std::chrono::system_clock::duration left) {
    return {"EMPRESA DEMO SA DE CV", "0A1B", kNow + left};
}

std::string joined(const std::vector<TrayMenuEntry>& menu, bool spanish) {
    std::string all;
    for (const auto& e : menu) all += (spanish ? e.text.es : e.text.en) + "\n";
    return all;
}

class RecordingObserver : public AgentStatus::Observer {
  public:
    void statusChanged() noexcept override { ++changes; }
    void tokenPresence(const std::string& label, bool present) noexcept override {
        events.push_back((present ? "+" : "-") + label);
    }
    int changes = 0;
    std::vector<std::string> events;
};

firmante::pkcs11::TokenInfo token(const std::string& label, unsigned long slot) {
    firmante::pkcs11::TokenInfo t;
    t.label = label;
    t.slotId = slot;
    return t;
}

}  // namespace

TEST_F(TrayModel, ACertificateWithThirtyDaysLeftIsAnnouncedAndOneWithMoreIsNot) {
    EXPECT_FALSE(expiryNotice(certificate(30 * kDay + seconds(1)), kNow));
    EXPECT_FALSE(expiryNotice(certificate(365 * kDay), kNow));
    const auto notice = expiryNotice(certificate(30 * kDay), kNow);
    ASSERT_TRUE(notice);
    EXPECT_EQ(notice->shortText.es, "Vence en 30 días (2026-12-30): renuévelo antes");
    EXPECT_EQ(notice->shortText.en, "Expires in 30 days (2026-12-30): renew it before then");
    // What happens and what to do, in plain words, naming the certificate.
    EXPECT_EQ(notice->message.es,
              "Su certificado «EMPRESA DEMO SA DE CV» vence en 30 días, el 2026-12-30. Renuévelo "
              "antes de esa fecha en el sitio donde lo obtuvo (por ejemplo, el IDSE del IMSS); "
              "después ya no podrá firmar con él.");
    EXPECT_NE(notice->message.en.find("Renew it before then"), std::string::npos);
}

TEST_F(TrayModel, DaysLeftAreRoundedUpAndOneDayIsSingular) {
    EXPECT_EQ(expiryNotice(certificate(29 * kDay + hours(1)), kNow)->shortText.es,
              "Vence en 30 días (2026-12-29): renuévelo antes");
    EXPECT_EQ(expiryNotice(certificate(hours(3)), kNow)->shortText.es,
              "Vence en 1 día (2026-11-30): renuévelo antes");
    EXPECT_EQ(expiryNotice(certificate(hours(3)), kNow)->shortText.en,
              "Expires in 1 day (2026-11-30): renew it before then");
}

TEST_F(TrayModel, AnExpiredCertificateSaysItCannotSignAndHowToRenew) {
    const auto notice = expiryNotice(certificate(-2 * kDay), kNow);
    ASSERT_TRUE(notice);
    EXPECT_EQ(notice->shortText.es, "Venció el 2026-11-28: renuévelo para volver a firmar");
    EXPECT_NE(notice->message.es.find("Ya no sirve para firmar. Renuévelo"), std::string::npos);
    EXPECT_NE(notice->message.en.find("can no longer be used to sign"), std::string::npos);
}

TEST_F(TrayModel, AQuestionWaitingBeatsARenewalWhichBeatsATokenWhichBeatsNothing) {
    EXPECT_EQ(trayStateOf(0, 0, 0), TrayState::Idle);
    EXPECT_EQ(trayStateOf(0, 0, 2), TrayState::TokenPresent);
    EXPECT_EQ(trayStateOf(0, 1, 1), TrayState::Renewing);
    EXPECT_EQ(trayStateOf(1, 1, 1), TrayState::WaitingForYou);
    EXPECT_EQ(trayStateOf(1, 0, 0), TrayState::WaitingForYou);
}

TEST_F(TrayModel, StatusFollowsTokensQuestionsAndRenewalsThroughTheirTransitions) {
    AgentStatus status;
    RecordingObserver observer;
    status.setObserver(&observer);
    EXPECT_EQ(status.snapshot().state, TrayState::Idle);
    status.setTokens({token("Token de la empresa", 1)});
    EXPECT_EQ(status.snapshot().state, TrayState::TokenPresent);
    EXPECT_TRUE(observer.events.empty()) << "the first scan is what was there, not an insertion";
    status.renewalActive("r1", true);
    EXPECT_EQ(status.snapshot().state, TrayState::Renewing);
    status.promptStarted();
    EXPECT_EQ(status.snapshot().state, TrayState::WaitingForYou);
    status.promptEnded();
    EXPECT_EQ(status.snapshot().state, TrayState::Renewing);
    status.renewalActive("r1", false);
    EXPECT_EQ(status.snapshot().state, TrayState::TokenPresent);
    status.setTokens({token("Token de la empresa", 1), token("Segundo", 2)});
    status.setTokens({token("Segundo", 2)});
    status.setTokens({});
    EXPECT_EQ(status.snapshot().state, TrayState::Idle);
    EXPECT_EQ(observer.events,
              (std::vector<std::string>{"+Segundo", "-Token de la empresa", "-Segundo"}));
    EXPECT_GE(observer.changes, 8);
    // An unbalanced end (a prompter that threw twice) never goes below zero.
    status.promptEnded();
    status.setTokens({token("Segundo", 2)});
    EXPECT_EQ(status.snapshot().state, TrayState::TokenPresent);
    status.setObserver(nullptr);
    const int before = observer.changes;
    status.promptStarted();
    EXPECT_EQ(observer.changes, before) << "a detached observer hears nothing";
}

TEST_F(TrayModel, StopClearsQuestionsAndRenewalsAndTheControlsGoWithTheAgent) {
    AgentStatus status;
    int stops = 0;
    AgentStatus::Controls controls;
    controls.stop = [&] { ++stops; };
    controls.revokeSite = [](const std::string& origin) { return origin == "https://a.example"; };
    controls.sites = [] { return std::vector<AllowedSite>{{"https://a.example", false}}; };
    status.setControls(controls, "/state/agent.log");
    status.promptStarted();
    status.renewalActive("r1", true);
    EXPECT_TRUE(status.snapshot().agentRunning);
    EXPECT_EQ(status.snapshot().sites.size(), 1u);
    EXPECT_TRUE(status.revokeSite("https://a.example"));
    EXPECT_FALSE(status.revokeSite("https://b.example"));
    status.requestStop();
    EXPECT_EQ(stops, 1);
    status.clearControls();
    EXPECT_EQ(status.snapshot().state, TrayState::Idle);
    EXPECT_FALSE(status.snapshot().agentRunning);
    EXPECT_TRUE(status.snapshot().sites.empty());
    EXPECT_FALSE(status.revokeSite("https://a.example"));
    status.requestStop();
    EXPECT_EQ(stops, 1) << "nothing reaches an agent that stopped";
}

TEST_F(TrayModel, TheActivityRingKeepsTheNewestUpToItsCapacity) {
    AgentStatus status(3);
    for (int i = 0; i < 5; ++i) {
        Activity a;
        ASSERT_TRUE(describeActivity("documents.sign", "https://a.example",
                                     "doc" + std::to_string(i) + ".pdf", 0, kNow + seconds(i), a));
        status.record(a);
    }
    const auto recent = status.snapshot().activity;
    ASSERT_EQ(recent.size(), 3u);
    EXPECT_EQ(recent[0].fileName, "doc4.pdf");
    EXPECT_EQ(recent[2].fileName, "doc2.pdf");
    ActivityLog none(0);
    none.add(recent[0]);
    EXPECT_TRUE(none.recent().empty());
}

TEST_F(TrayModel, ActivityNamesFilesAsThePromptsDoAndListsOnlyWhatUsedTheKey) {
    Activity a;
    // U+202E (right-to-left override) would make "fdp.exe" read as "exe.pdf".
    ASSERT_TRUE(describeActivity("documents.sign", "https://a.example",
                                 "factura\xE2\x80\xAE"
                                 "fdp.exe",
                                 0, kNow, a));
    EXPECT_EQ(a.fileName, "factura\\E2\\80\\AEfdp.exe");
    EXPECT_EQ(a.what.es, "Firmó el documento");
    ASSERT_TRUE(describeActivity("documents.sign_batch", "https://a.example", "", 20, kNow, a));
    EXPECT_EQ(a.what.es, "Firmó 20 documentos");
    EXPECT_EQ(a.what.en, "Signed 20 documents");
    EXPECT_TRUE(a.fileName.empty());
    EXPECT_FALSE(describeActivity("certificates.list", "https://a.example", "", 0, kNow, a));
    EXPECT_FALSE(describeActivity("renewal.status", "https://a.example", "", 0, kNow, a));
}

TEST_F(TrayModel, TheMenuListsTokensCertificatesSitesAndActivityInEitherLanguage) {
    StatusSnapshot s;
    s.state = TrayState::TokenPresent;
    s.tokens = {{"Token de la empresa",
                 {certificate(12 * kDay), {"OTRA SA", "0C", kNow + 400 * kDay}},
                 true}};
    s.sites = {{"https://idse.imss.example", false}, {"https://admin.example", true}};
    Activity a;
    ASSERT_TRUE(describeActivity("renewal.sign_letter", "https://idse.imss.example", "carta&1.pdf",
                                 0, kNow - hours(1), a));
    Activity today;
    ASSERT_TRUE(describeActivity("documents.sign", "https://idse.imss.example", "hoy.pdf", 0,
                                 kNow + seconds(60), today));
    s.activity = {today, a};
    const auto menu = trayMenu(s, kNow);
    const auto es = joined(menu, true);
    const auto en = joined(menu, false);
    EXPECT_NE(es.find("Firmante — Token conectado\n"), std::string::npos) << es;
    EXPECT_NE(es.find("Token «Token de la empresa»\n"), std::string::npos) << es;
    EXPECT_NE(es.find("    EMPRESA DEMO SA DE CV — vigente hasta 2026-12-12\n"), std::string::npos);
    EXPECT_NE(es.find("    ⚠ Vence en 12 días (2026-12-12): renuévelo antes\n"), std::string::npos);
    EXPECT_NE(es.find("    OTRA SA — vigente hasta 2028-01-04\n"), std::string::npos) << es;
    EXPECT_EQ(es.find("⚠", es.find("OTRA SA")), std::string::npos) << "400 days left: no warning";
    EXPECT_NE(es.find("Sitios permitidos (2)\n"), std::string::npos);
    EXPECT_NE(es.find("Quitar el permiso a https://idse.imss.example\n"), std::string::npos);
    EXPECT_NE(es.find("https://admin.example (lo autorizó su administrador)\n"), std::string::npos);
    EXPECT_NE(es.find("2026-11-29 23:53 · Firmó la carta de renovación «carta&1.pdf» · "
                      "https://idse.imss.example\n"),
              std::string::npos)
        << es;
    EXPECT_NE(es.find("\n00:54 · Firmó el documento «hoy.pdf» · https://idse.imss.example\n"),
              std::string::npos)
        << "today's entry by its time alone: " << es;
    EXPECT_NE(en.find("Firmante — Token connected\n"), std::string::npos);
    EXPECT_NE(en.find("    ⚠ Expires in 12 days (2026-12-12): renew it before then\n"),
              std::string::npos);
    EXPECT_NE(en.find("Revoke https://idse.imss.example\n"), std::string::npos);
    EXPECT_NE(en.find("Signed the renewal letter «carta&1.pdf»"), std::string::npos);
    EXPECT_NE(en.find("Quit Firmante\n"), std::string::npos);
    EXPECT_EQ(es.find("Quit Firmante"), std::string::npos) << "the Spanish menu has no English";
    EXPECT_EQ(en.find("Salir de Firmante"), std::string::npos) << "the English menu has no Spanish";
    // Only the person's own sites can be revoked; the action names the origin.
    int revocable = 0;
    for (const auto& e : menu) {
        if (e.action == "revokeSite") {
            ++revocable;
            EXPECT_EQ(e.argument, "https://idse.imss.example");
        }
    }
    EXPECT_EQ(revocable, 1);
    EXPECT_EQ(menu.back().action, "quit");
}

TEST_F(TrayModel, TheMenuAndTooltipSayWhatToDoWithoutAToken) {
    StatusSnapshot s;
    const auto es = joined(trayMenu(s, kNow), true);
    EXPECT_NE(es.find("Conecte su token: no hay ninguno conectado\n"), std::string::npos);
    EXPECT_NE(es.find("Ningún sitio todavía\n"), std::string::npos);
    EXPECT_NE(es.find("Nada desde que inició Firmante\n"), std::string::npos);
    EXPECT_EQ(trayTooltip(s, kNow).es, "Firmante — Sin token conectado");
    s.state = TrayState::TokenPresent;
    s.tokens = {{"Token de la empresa", {certificate(3 * kDay)}, true}};
    EXPECT_EQ(trayTooltip(s, kNow).es,
              "Firmante — Token «Token de la empresa» conectado\nUn certificado necesita "
              "renovarse");
    EXPECT_EQ(trayTooltip(s, kNow).en,
              "Firmante — Token «Token de la empresa» connected\nA certificate needs renewing");
    s.state = TrayState::WaitingForYou;
    EXPECT_EQ(trayTooltip(s, kNow).en.rfind("Firmante — Waiting for you\n", 0), 0u);
}

TEST_F(TrayModel, CommonNameIsTakenFromTheSubjectWithEscapedCommas) {
    EXPECT_EQ(commonNameOf("CN=EMPRESA\\, SA,O=IMSS"), "EMPRESA, SA");
    EXPECT_EQ(commonNameOf("O=IMSS,CN=Juan"), "Juan");
    EXPECT_EQ(commonNameOf("O=IMSS"), "O=IMSS");
}

TEST(ConfigForget, ForgettingASiteRewritesTheFileAndTheAdministratorsStay) {
    firmante::testing::TempDir dir;
    const auto path = dir / "config.json";
    firmante::testing::writeFile(
        path.string(), R"({"allowedOrigins":["https://a.example","https://b.example"],"x":1})");
    ConfigStore store(path, AgentConfig::load(path), {"https://admin.example"});
    EXPECT_TRUE(store.forgetOrigin("https://a.example"));
    EXPECT_FALSE(store.originAllowed("https://a.example"));
    EXPECT_FALSE(store.forgetOrigin("https://a.example")) << "already gone";
    EXPECT_FALSE(store.forgetOrigin("https://admin.example"));
    EXPECT_TRUE(store.originAllowed("https://admin.example"));
    const auto written = nlohmann::json::parse(firmante::testing::readFile(path.string()));
    EXPECT_EQ(written["allowedOrigins"], nlohmann::json({"https://b.example"}));
    EXPECT_EQ(written["x"], 1);
    EXPECT_EQ(store.allowedOrigins(), std::vector<std::string>{"https://b.example"});
}
