// The tray icon's menu as a person sees it (offscreen platform, real QMenu): the agent's state
// reported from other threads reaches the GUI thread, the entries read in Spanish or in English,
// never both, and the menu's actions reach the agent's controls.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include <QAction>
#include <QMenu>
#include <QStringList>
#include <QSystemTrayIcon>
#include <QTest>

#include "firmante/desktop/TrayIcon.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/prompt/Prompter.h"

using firmante::agent::AgentStatus;
using firmante::agent::AllowedSite;
using firmante::agent::TrayState;
using firmante::desktop::Language;
using firmante::desktop::TrayIcon;
using std::chrono::hours;

namespace {

// Every item's text, submenus' items indented under their title.
QStringList entries(const QMenu* menu, const QString& indent = {}) {
    QStringList out;
    for (auto* action : menu->actions()) {
        if (action->isSeparator()) continue;
        out << indent + action->text();
        if (action->menu()) out << entries(action->menu(), indent + "  ");
    }
    return out;
}

QAction* find(const QMenu* menu, const QString& text) {
    for (auto* action : menu->actions()) {
        if (action->text() == text) return action;
        if (action->menu()) {
            if (auto* inner = find(action->menu(), text)) return inner;
        }
    }
    return nullptr;
}

firmante::pkcs11::TokenInfo token(const std::string& label, unsigned long slot) {
    firmante::pkcs11::TokenInfo t;
    t.label = label;
    t.slotId = slot;
    return t;
}

firmante::pkcs11::CertificateInfo certificate(const std::string& subject,
                                              std::chrono::system_clock::time_point notAfter) {
    firmante::pkcs11::CertificateInfo c;
    c.subject = subject;
    c.serialHex = "01";
    c.notAfter = notAfter;
    return c;
}

// The person at Firmante's dialogs (the prompt interface's fake): answers every yes/no question
// with `allow` and keeps what it was asked, and on which thread.
class Person : public firmante::prompt::Prompter {
  public:
    firmante::pkcs11::Secret askPin(const firmante::prompt::PromptText&) override {
        throw firmante::pkcs11::Error(firmante::pkcs11::Reason::UserCancelled, "no PIN here");
    }
    bool confirm(const firmante::prompt::PromptText& text) override {
        std::lock_guard lock(mutex);
        asked.push_back(text);
        askedOnGuiThread = askedOnGuiThread || std::this_thread::get_id() == guiThread;
        return allow;
    }
    std::size_t questions() {
        std::lock_guard lock(mutex);
        return asked.size();
    }

    std::mutex mutex;
    std::vector<firmante::prompt::PromptText> asked;
    std::atomic<bool> allow{false};
    bool askedOnGuiThread = false;
    const std::thread::id guiThread = std::this_thread::get_id();
};

class TrayIconTest : public ::testing::Test {
  protected:
    void SetUp() override {
        controls.stop = [this] { ++stops; };
        controls.revokeSite = [this](const std::string& origin) {
            revoked.push_back(origin);
            return true;
        };
        controls.sites = [] {
            return std::vector<AllowedSite>{{"https://idse.imss.example", false},
                                            {"https://admin.example", true}};
        };
    }
    // Reported the way the agent does: from another thread.
    void fromAgentThread(const std::function<void()>& report) {
        std::thread agent(report);
        agent.join();
    }

    AgentStatus status;
    Person person;
    AgentStatus::Controls controls;
    int stops = 0;
    std::vector<std::string> revoked;
    const std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

}  // namespace

TEST_F(TrayIconTest, TheMenuShowsTheTokenItsCertificatesAndTheirExpiryInSpanish) {
    TrayIcon tray(status, person, Language::Spanish, [this] { return now; });
    EXPECT_EQ(tray.state(), TrayState::Idle);
    EXPECT_TRUE(entries(tray.menu()).contains("Conecte su token: no hay ninguno conectado"));
    fromAgentThread([this] {
        status.setControls(controls, "/nonexistent/agent.log");
        status.setTokens({token("Token de la empresa", 1)});
        status.setCertificates(
            "Token de la empresa",
            {certificate("CN=EMPRESA DEMO SA DE CV,O=Demo", now + hours(24 * 12))});
    });
    ASSERT_TRUE(QTest::qWaitFor([&] {
        return entries(tray.menu())
            .contains("    EMPRESA DEMO SA DE CV — vigente hasta " +
                      QString::fromStdString(firmante::agent::shownDate(now + hours(24 * 12))));
    })) << entries(tray.menu()).join('\n').toStdString();
    const auto shown = entries(tray.menu());
    EXPECT_EQ(tray.state(), TrayState::TokenPresent);
    EXPECT_TRUE(shown.contains("Firmante — Token conectado")) << shown.join('\n').toStdString();
    EXPECT_TRUE(shown.contains("Token «Token de la empresa»"));
    EXPECT_TRUE(shown.filter("⚠ Vence en 12 días").size() == 1) << shown.join('\n').toStdString();
    EXPECT_TRUE(shown.contains("Sitios permitidos (2)"));
    EXPECT_TRUE(shown.contains("  Quitar el permiso a https://idse.imss.example"));
    EXPECT_TRUE(shown.contains("  https://admin.example (lo autorizó su administrador)"));
    EXPECT_TRUE(shown.contains("Actividad reciente"));
    EXPECT_TRUE(shown.contains("Abrir la bitácora"));
    EXPECT_TRUE(shown.contains("Salir de Firmante"));
    EXPECT_TRUE(shown.filter("Revoke").isEmpty() && shown.filter("Quit Firmante").isEmpty())
        << "no English in the Spanish menu";
    EXPECT_EQ(
        tray.toolTip(),
        "Firmante — Token «Token de la empresa» conectado\nUn certificado necesita renovarse");
    // The certificate near its expiry is announced once, with what to do.
    EXPECT_TRUE(tray.lastMessage().contains("vence en 12 días"))
        << tray.lastMessage().toStdString();
    EXPECT_TRUE(tray.lastMessage().contains("Renuévelo antes de esa fecha"));
}

TEST_F(TrayIconTest, TheMenuReadsInEnglishAndItsLanguageEntrySwitchesIt) {
    TrayIcon tray(status, person, Language::English, [this] { return now; });
    fromAgentThread([this] {
        status.setControls(controls, "/nonexistent/agent.log");
        status.setTokens({token("Company token", 1)});
        status.setCertificates("Company token", {certificate("CN=DEMO SA", now + hours(24 * 400))});
    });
    ASSERT_TRUE(QTest::qWaitFor([&] { return tray.state() == TrayState::TokenPresent; }));
    ASSERT_TRUE(QTest::qWaitFor([&] { return !entries(tray.menu()).filter("DEMO SA").isEmpty(); }));
    auto shown = entries(tray.menu());
    EXPECT_TRUE(shown.contains("Firmante — Token connected")) << shown.join('\n').toStdString();
    EXPECT_TRUE(shown.contains("Tokens and certificates"));
    EXPECT_TRUE(shown.contains("Token «Company token»"));
    EXPECT_TRUE(shown.filter("⚠").isEmpty()) << "400 days left: nothing to announce";
    EXPECT_TRUE(shown.contains("Allowed sites (2)"));
    EXPECT_TRUE(shown.contains("  Revoke https://idse.imss.example"));
    EXPECT_TRUE(shown.contains("Recent activity"));
    EXPECT_TRUE(shown.contains("  Nothing since Firmante started"));
    EXPECT_TRUE(shown.contains("Open the log"));
    EXPECT_TRUE(shown.contains("Quit Firmante"));
    EXPECT_TRUE(shown.filter("Salir").isEmpty() && shown.filter("Sitios").isEmpty());
    EXPECT_TRUE(tray.lastMessage().isEmpty());
    find(tray.menu(), "Español")->trigger();
    shown = entries(tray.menu());
    EXPECT_TRUE(shown.contains("Salir de Firmante")) << shown.join('\n').toStdString();
    EXPECT_TRUE(shown.contains("English"));
    EXPECT_TRUE(shown.filter("Quit Firmante").isEmpty());
}

TEST_F(TrayIconTest, StateQuestionsAndTokenChangesFromAgentThreadsReachTheIcon) {
    TrayIcon tray(status, person, Language::Spanish, [this] { return now; });
    fromAgentThread([this] { status.setTokens({token("Token de la empresa", 1)}); });
    ASSERT_TRUE(QTest::qWaitFor([&] { return tray.state() == TrayState::TokenPresent; }));
    const auto present = tray.trayIcon()->icon().pixmap(32).toImage();
    fromAgentThread([this] { status.promptStarted(); });
    ASSERT_TRUE(QTest::qWaitFor([&] { return tray.state() == TrayState::WaitingForYou; }));
    EXPECT_EQ(tray.toolTip(), "Firmante — Esperando su respuesta");
    EXPECT_NE(tray.trayIcon()->icon().pixmap(32).toImage(), present) << "the icon shows it";
    fromAgentThread([this] {
        status.promptEnded();
        status.renewalActive("r1", true);
    });
    ASSERT_TRUE(QTest::qWaitFor([&] { return tray.state() == TrayState::Renewing; }));
    EXPECT_EQ(tray.toolTip(), "Firmante — Renovación en curso");
    fromAgentThread([this] {
        status.setTokens({token("Token de la empresa", 1), token("Segundo «token»", 2)});
    });
    ASSERT_TRUE(QTest::qWaitFor([&] { return tray.lastMessage().contains("Segundo"); }));
    EXPECT_EQ(tray.lastMessage(), "Firmante: Se conectó el token «Segundo «token»».");
    fromAgentThread([this] { status.setTokens({token("Segundo «token»", 2)}); });
    ASSERT_TRUE(QTest::qWaitFor([&] { return tray.lastMessage().contains("desconectó"); }));
    EXPECT_EQ(tray.lastMessage(),
              "Firmante: Se desconectó el token «Token de la empresa». Para firmar, vuelva a "
              "conectarlo.");
}

TEST_F(TrayIconTest, RevokingASiteAsksFirstAndOnlyAnExplicitYesRevokesIt) {
    TrayIcon tray(status, person, Language::Spanish, [this] { return now; });
    fromAgentThread([this] { status.setControls(controls, "/nonexistent/agent.log"); });
    const QString revoke = "Quitar el permiso a https://idse.imss.example";
    ASSERT_TRUE(QTest::qWaitFor([&] { return find(tray.menu(), revoke); }));

    // "Conservar" (or Escape, or closing the window): the site stays.
    person.allow = false;
    find(tray.menu(), revoke)->trigger();
    ASSERT_TRUE(QTest::qWaitFor([&] { return person.questions() == 1 && !tray.questionOpen(); }));
    EXPECT_TRUE(revoked.empty()) << "nothing revoked without the person's yes";
    EXPECT_TRUE(tray.lastMessage().isEmpty()) << tray.lastMessage().toStdString();
    {
        std::lock_guard lock(person.mutex);
        EXPECT_FALSE(person.askedOnGuiThread) << "a Prompter blocks: never on the GUI thread";
        ASSERT_TRUE(person.asked[0].details);
        const auto& d = *person.asked[0].details;
        EXPECT_EQ(d.kind, firmante::prompt::PromptKind::Destructive) << "the safe button first";
        EXPECT_EQ(d.site, "https://idse.imss.example");
        EXPECT_EQ(d.refuse.es, "Conservar");
        EXPECT_EQ(d.refuse.en, "Keep");
        EXPECT_EQ(d.accept.es, "Quitar el permiso");
        EXPECT_EQ(d.accept.en, "Revoke");
        EXPECT_EQ(d.operation.es,
                  "¿Quitar a https://idse.imss.example el permiso de usar sus certificados?");
        EXPECT_EQ(d.operation.en,
                  "Stop allowing https://idse.imss.example to use your certificates?");
        ASSERT_TRUE(d.note);
        EXPECT_NE(d.note->es.find("le preguntará a usted de nuevo"), std::string::npos);
        EXPECT_NE(d.note->en.find("asks you again"), std::string::npos);
    }

    // "Quitar el permiso": now it goes.
    person.allow = true;
    find(tray.menu(), revoke)->trigger();
    ASSERT_TRUE(QTest::qWaitFor([&] { return person.questions() == 2 && !tray.questionOpen(); }));
    EXPECT_EQ(revoked, std::vector<std::string>{"https://idse.imss.example"});
    EXPECT_EQ(tray.lastMessage(), "Firmante: Se quitó el permiso a https://idse.imss.example.");
    EXPECT_EQ(status.snapshot().state, TrayState::Idle) << "no question left waiting";
}

TEST_F(TrayIconTest, RevokeAndQuitReachTheAgentsControls) {
    TrayIcon tray(status, person, Language::Spanish, [this] { return now; });
    fromAgentThread([this] { status.setControls(controls, "/nonexistent/agent.log"); });
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return find(tray.menu(), "Quitar el permiso a https://idse.imss.example"); }));
    person.allow = true;
    find(tray.menu(), "Quitar el permiso a https://idse.imss.example")->trigger();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !tray.questionOpen(); }));
    EXPECT_EQ(revoked, std::vector<std::string>{"https://idse.imss.example"});
    EXPECT_EQ(tray.lastMessage(), "Firmante: Se quitó el permiso a https://idse.imss.example.");
    EXPECT_EQ(find(tray.menu(), "Quitar el permiso a https://admin.example"), nullptr)
        << "the administrator's site is not the person's to revoke";
    find(tray.menu(), "Salir de Firmante")->trigger();
    EXPECT_EQ(stops, 1);
}

TEST_F(TrayIconTest, AnAmpersandInASiteOrFileNameIsShownNotTakenAsAShortcut) {
    TrayIcon tray(status, person, Language::Spanish, [this] { return now; });
    firmante::agent::Activity a;
    ASSERT_TRUE(firmante::agent::describeActivity("documents.sign", "https://a.example", "R&D.pdf",
                                                  0, now, a));
    fromAgentThread([&] { status.record(a); });
    ASSERT_TRUE(QTest::qWaitFor([&] { return !entries(tray.menu()).filter("R&&D.pdf").isEmpty(); }))
        << entries(tray.menu()).join('\n').toStdString();
}
