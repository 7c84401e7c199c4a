// `firmante renew --portal URL` end to end: the real CLI, the real reference portal (which checks
// every signature itself: the origin-bound logins, the CSR, both CMS letters, the proof of
// possession) and, for the agent path, the real agent with a scripted pinentry — each on a
// private SoftHSM token.
#include <gtest/gtest.h>

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "AgentProcess.h"
#include "AgentTestUtil.h"
#include "PortalHttp.h"
#include "PortalProcess.h"
#include "firmante/pkcs11/Challenge.h"
#include "firmante/pkcs11/Module.h"
#include "firmante/pkcs11/Token.h"
#include "firmante/testing/Process.h"
#include "firmante/testing/SoftHsmToken.h"
#include "firmante/testing/TempDir.h"

namespace {

using firmante::agent::testing::AgentProcess;
using firmante::renew::testing::PortalProcess;
using firmante::renew::testing::portalRequest;
using firmante::testing::ProcessResult;
using firmante::testing::SoftHsmToken;
using nlohmann::json;

constexpr const char* kPin = "123456\n";
constexpr const char* kSubject = "/CN=PRUEBA 4 PRUEBA 4 PRUEBA 4/UID=A064878710/O=PRUEBA 4/C=MX";

std::string base64(const std::vector<unsigned char>& bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::vector<unsigned char> base64Decode(const std::string& text) {
    std::vector<unsigned char> out(text.size() / 4 * 3 + 3);
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    std::size_t padding =
        std::count(text.end() - std::min<std::size_t>(2, text.size()), text.end(), '=');
    out.resize(static_cast<std::size_t>(n) - padding);
    return out;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

class Renew : public ::testing::Test {
  protected:
    void SetUp() override {
        firmante::testing::writeFile((dir / "config.json").string(), "{}");
        provisionExpiredCertificate();
        portal.start();
    }

    std::map<std::string, std::string> cliEnv(std::map<std::string, std::string> extra = {}) {
        std::map<std::string, std::string> env{
            {"FIRMANTE_MODULE", SoftHsmToken::modulePath()},
            {"SOFTHSM2_CONF", hsm.confPath().string()},
            {"FIRMANTE_SOCKET", (dir / "no-agent.sock").string()},
            {"FIRMANTE_CONFIG", (dir / "config.json").string()},
            {"XDG_STATE_HOME", (dir / "cli-state").string()},
            {"XDG_CONFIG_HOME", (dir / "cli-config").string()},
            {"LC_ALL", "C.UTF-8"},
            {"FIRMANTE_PINENTRY", ""}};
        for (auto& [k, v] : extra) env[k] = v;
        return env;
    }
    ProcessResult cli(std::vector<std::string> args, const std::string& input = {},
                      std::map<std::string, std::string> extra = {}) {
        args.insert(args.begin(), FIRMANTE_CLI);
        return firmante::testing::run(args, input, cliEnv(std::move(extra)));
    }
    json certificatesOnToken() {
        auto r = cli({"certs", "--json", "--direct"});
        EXPECT_EQ(r.exitCode, 0) << r.err;
        return json::parse(r.out).at("certificates");
    }
    std::size_t keysOnToken() {
        auto r = cli({"keys", "--json", "--pin-fd", "0"}, kPin);
        EXPECT_EQ(r.exitCode, 0) << r.err;
        return json::parse(r.out).at("keys").size();
    }

    // The demo's steps 1–4: a key made on the token, its CSR, the portal's expired certificate.
    void provisionExpiredCertificate() {
        auto keygen = cli(
            {"keygen", "--type", "rsa-2048", "--label", "patron", "--json", "--pin-fd", "0"}, kPin);
        ASSERT_EQ(keygen.exitCode, 0) << keygen.err;
        const auto keyUri = json::parse(keygen.out).at("key").at("uri").get<std::string>();
        const auto csrPath = (dir / "patron.csr").string();
        auto csr =
            cli({"csr", "--key", keyUri, "--subject", kSubject, "--out", csrPath, "--pin-fd", "0"},
                kPin);
        ASSERT_EQ(csr.exitCode, 0) << csr.err;
        const auto certPath = (dir / "patron-caducado.pem").string();
        auto issue = firmante::testing::run({PortalProcess::binary(), "issue", "--state-dir",
                                             portal.stateDir().string(), "--csr", csrPath,
                                             "--expired", "--out", certPath});
        ASSERT_EQ(issue.exitCode, 0) << issue.err;
        auto import = cli({"import-cert", "--in", certPath, "--pin-fd", "0"}, kPin);
        ASSERT_EQ(import.exitCode, 0) << import.err;
        const auto certs = certificatesOnToken();
        ASSERT_EQ(certs.size(), 1u);
        oldCertificate = certs.at(0);
        ASSERT_TRUE(oldCertificate.at("expired").get<bool>());
    }

    // The portal's own login, signed here with the pkcs11 library (not the CLI, not the agent).
    json loginWithTokenCertificate(const std::string& serialHex) {
        auto start = portalRequest(portal.url(), "POST", "/api/login/start", json::object());
        const auto nonce = base64Decode(start.at("nonce").get<std::string>());
        json body;
        {
            auto module = firmante::pkcs11::Module::load(SoftHsmToken::modulePath());
            auto token = firmante::pkcs11::Token::open(module, hsm.label());
            token.login(firmante::pkcs11::Secret("123456"));
            for (const auto& c : token.certificates()) {
                if (lower(c.serialHex) != lower(serialHex) || !c.keyUri) continue;
                auto key = token.key(*c.keyUri);
                auto privateKey = token.privateKey(key);
                auto signature =
                    firmante::pkcs11::signChallenge(privateKey.get(), portal.url(), nonce);
                body = {{"user", "A064878710"},
                        {"certificate", base64(c.der)},
                        {"signature", base64(signature.signature)},
                        {"algorithm", signature.algorithm}};
            }
            token.logout();
        }
        if (body.is_null()) return {{"error", {{"code", "NO_SUCH_CERTIFICATE_ON_TOKEN"}}}};
        return portalRequest(portal.url(), "POST", "/api/login/finish", body,
                             start.at("session").get<std::string>());
    }

    firmante::testing::TempDir dir{"firmante-renew"};
    SoftHsmToken hsm{"Renew Test"};
    PortalProcess portal{dir / "portal-state"};
    json oldCertificate;
};

TEST_F(Renew, ThroughTheAgentRunsTwelveStepsAndThePortalLogsInOnlyTheNewCertificate) {
    firmante::testing::TempDir agentDir("firmante-renew-agent");
    AgentProcess agent(agentDir, hsm);
    firmante::testing::writeFile(agent.config().string(),
                                 json{{"allowedOrigins", {portal.url()}}}.dump());
    // Issue 12 §3: PINs for the login and the new key; letter 1 and letter 2 confirmed on the
    // kept login, possession and install without a prompt; retiring confirmed; after finish
    // the token is locked again, so the login with the new certificate asks the PIN.
    agent.script("pin 123456\npin 123456\nconfirm yes\nconfirm yes\nconfirm yes\npin 123456\n");
    agent.start();

    auto r = cli({"renew", "--portal", portal.url(), "--retire-old", "--json"}, {},
                 {{"FIRMANTE_SOCKET", agent.socket().string()}});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    const auto doc = json::parse(r.out);
    EXPECT_EQ(doc.at("via"), "agent");
    EXPECT_EQ(doc.at("origin"), portal.url());
    const auto& steps = doc.at("steps");
    ASSERT_EQ(steps.size(), 12u);
    for (int i = 0; i < 12; ++i) EXPECT_EQ(steps[i].at("step"), i + 1);
    EXPECT_EQ(steps[0].at("status"), "RENEWAL_REQUIRED");
    EXPECT_EQ(lower(steps[0].at("serial")), lower(oldCertificate.at("serial")));
    EXPECT_EQ(steps[3].at("keyAttributes").at("local"), true);
    EXPECT_EQ(steps[3].at("keyAttributes").at("extractable"), false);
    EXPECT_EQ(steps[3].at("spkiHex").get<std::string>().rfind("03 82 01 0f 00 30 82 01 0a", 0), 0u);
    EXPECT_EQ(steps[5].at("status"), "LETTER_ACCEPTED");
    EXPECT_EQ(steps[10].at("status"), "RENEWED");
    EXPECT_EQ(steps[10].at("oldRetired"), true);
    EXPECT_EQ(steps[11].at("status"), "LOGGED_IN");
    const auto newSerial = doc.at("newCertificate").at("serial").get<std::string>();

    // The agent signed for the portal's origin, and said so in every prompt.
    const auto shown = firmante::agent::testing::promptsShown(agent.pinentryLog());
    ASSERT_EQ(shown.size(), 6u);
    EXPECT_EQ(std::count_if(shown.begin(), shown.end(),
                            [](const json& p) { return p.at("command") == "GETPIN"; }),
              3);
    for (const auto& prompt : shown)
        EXPECT_NE(prompt.at("description").get<std::string>().find(portal.url()), std::string::npos)
            << prompt.dump();
    agent.stop();

    // Only the new certificate is left on the token, and the portal logs it in; the old one is
    // revoked (the portal checks that before any signature, so any signature will do).
    const auto certs = certificatesOnToken();
    ASSERT_EQ(certs.size(), 1u);
    EXPECT_EQ(lower(certs[0].at("serial")), lower(newSerial));
    EXPECT_FALSE(certs[0].at("expired").get<bool>());
    EXPECT_EQ(loginWithTokenCertificate(newSerial).value("status", ""), "LOGGED_IN");
    auto start = portalRequest(portal.url(), "POST", "/api/login/start", json::object());
    auto old = portalRequest(portal.url(), "POST", "/api/login/finish",
                             {{"user", "A064878710"},
                              {"certificate", oldCertificate.at("der")},
                              {"signature", "AAAA"},
                              {"algorithm", "RS256"}},
                             start.at("session").get<std::string>());
    EXPECT_EQ(old.at("error").at("code"), "CERTIFICATE_REVOKED") << old.dump();
}

// The direct path runs the agent's handlers on a token worker, which passes on only a reason and
// a text: a PIN the CLI could not read must still reach the person in the CLI's own words, with
// its own reason, not as an internal error.
TEST_F(Renew, DirectWithAnUnreadablePinFdSaysSoInTheCliWords) {
    auto r = cli({"renew", "--portal", portal.url(), "--direct", "--pin-fd", "0", "--keep-old",
                  "--email", "rh@prueba4.example"},
                 "");
    EXPECT_NE(r.exitCode, 0) << r.out;
    EXPECT_NE(r.err.find("no se pudo leer un PIN o contraseña del descriptor 0"), std::string::npos)
        << r.err;
    EXPECT_EQ(r.err.find("INTERNAL"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("error interno"), std::string::npos) << r.err;
}

TEST_F(Renew, DirectWithPinFdPrintsEachStepForAPersonAndKeepsTheOldCertificate) {
    auto r = cli({"renew", "--portal", portal.url(), "--direct", "--pin-fd", "0", "--keep-old",
                  "--email", "rh@prueba4.example"},
                 kPin);
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    EXPECT_EQ(
        r.out.rfind(
            "Renovación contra " + portal.url() + " directamente con el token «Renew Test».\n", 0),
        0u)
        << r.out;
    std::size_t previous = 0;
    for (int step = 1; step <= 12; ++step) {
        const auto at = r.out.find("\nPaso " + std::to_string(step) + " — ");
        ASSERT_NE(at, std::string::npos) << "step " << step << ":\n" << r.out;
        EXPECT_GT(at, previous) << r.out;
        previous = at;
    }
    EXPECT_NE(r.out.find("(caducado)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("rh@prueba4.example (cambiado; antes miguel.mendez@softtek.com)"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("Llave nueva rsa-2048 generada en el token (local: sí"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("«CartadeAceptaciondeRenovacion.pdf», folio "), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("«CartaTerminosCondiciones.pdf», folio "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Bienvenido al Portal de IMSS"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("se conserva en el token"), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find("firmante:"), std::string::npos) << r.err;

    // Both certificates stay on the token; the journal is the agent's, in its folder.
    EXPECT_EQ(certificatesOnToken().size(), 2u);
    int finished = 0;
    for (const auto& entry :
         std::filesystem::directory_iterator(dir / "cli-state" / "firmante" / "renewals")) {
        auto record = json::parse(firmante::testing::readFile(entry.path().string()));
        if (record.value("state", "") == "finished") ++finished;
    }
    EXPECT_EQ(finished, 1);
}

// Issue 11 §5: config renewal.requireConfirmedProvenance holds for `renew --direct` as it does in
// the agent. A token that records no access flags (the fault module's no-access-flags) cannot
// vouch for the new key: the renewal stops at step 4 with KEY_PROVENANCE_UNCONFIRMED and the key
// it generated is gone from the token (read back by a second `firmante keys`).
TEST_F(Renew, DirectRefusesANewKeyTheTokenDoesNotVouchForWhenTheConfigRequiresIt) {
    firmante::testing::writeFile((dir / "config.json").string(),
                                 R"({"renewal": {"requireConfirmedProvenance": true}})");
    firmante::testing::writeFile((dir / "faults").string(), "no-access-flags");
    const std::map<std::string, std::string> fault{{"FIRMANTE_MODULE", FIRMANTE_FAULT_MODULE},
                                                   {"FIRMANTE_FAULTS", (dir / "faults").string()}};
    auto r = cli({"renew", "--portal", portal.url(), "--direct", "--pin-fd", "0", "--keep-old",
                  "--email", "rh@prueba4.example"},
                 kPin, fault);
    EXPECT_NE(r.exitCode, 0) << r.out;
    EXPECT_NE(r.err.find("KEY_PROVENANCE_UNCONFIRMED"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("Paso 3 — "), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("Paso 4 — "), std::string::npos) << r.out;  // no key, no letter
    EXPECT_EQ(keysOnToken(), 1u);  // the new key was removed; the old one is there
    EXPECT_EQ(certificatesOnToken().size(), 1u);

    // Without the option the same token renews (the check is the config's, not the token's).
    firmante::testing::writeFile((dir / "config.json").string(), "{}");
    auto ok = cli({"renew", "--portal", portal.url(), "--direct", "--pin-fd", "0", "--keep-old",
                   "--email", "rh@prueba4.example"},
                  kPin, fault);
    EXPECT_EQ(ok.exitCode, 0) << ok.err << ok.out;
}

TEST_F(Renew, APortalRefusalStopsWithItsReasonAndClaimsNoLaterStep) {
    // The portal refuses the e-mail of step 3: steps 1–2 happened, nothing after.
    auto r = cli({"renew", "--portal", portal.url(), "--direct", "--pin-fd", "0", "--email",
                  "no-es-un-correo"},
                 kPin);
    EXPECT_EQ(r.exitCode, 8) << r.err;
    EXPECT_EQ(r.err.rfind("firmante: PORTAL_ERROR: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("paso 3"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("El Correo Electrónico no es válido."), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("INVALID_FIELD"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("Paso 2 — "), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("Paso 3"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("Renovación terminada"), std::string::npos) << r.out;
    EXPECT_EQ(keysOnToken(), 1u);  // no new key was generated

    auto j = cli({"renew", "--portal", portal.url(), "--direct", "--pin-fd", "0", "--email",
                  "no-es-un-correo", "--json"},
                 kPin);
    EXPECT_EQ(j.exitCode, 8);
    const auto doc = json::parse(j.out);
    EXPECT_EQ(doc.at("error").at("reason"), "PORTAL_ERROR");
    EXPECT_FALSE(doc.contains("steps"));
}

}  // namespace

namespace {

TEST_F(Renew, ThroughTheAgentAPersonWhoCancelsLetterOneStopsTheRenewalAtStepFive) {
    firmante::testing::TempDir agentDir("firmante-renew-agent");
    AgentProcess agent(agentDir, hsm);
    firmante::testing::writeFile(agent.config().string(),
                                 json{{"allowedOrigins", {portal.url()}}}.dump());
    // login, begin, then the person cancels letter 1's confirmation (the token is unlocked).
    agent.script("pin 123456\npin 123456\ncancel\n");
    agent.start();

    auto r = cli({"renew", "--portal", portal.url()}, {},
                 {{"FIRMANTE_SOCKET", agent.socket().string()}});
    EXPECT_EQ(r.exitCode, 4) << r.err;
    EXPECT_EQ(r.err.rfind("firmante: USER_CANCELLED: ", 0), 0u) << r.err;
    EXPECT_NE(r.out.find("a través del agente firmante-agent"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Paso 5 — "), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("Paso 6"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("Renovación terminada"), std::string::npos) << r.out;
    // Nothing was signed or installed: the token holds only the old certificate.
    agent.stop();
    EXPECT_EQ(certificatesOnToken().size(), 1u);
}

}  // namespace
