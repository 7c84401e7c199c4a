// Issue 12 §3 measured the way a person meets it: the renewal steps 4–12 through the real agent
// with its own Qt windows under Xvfb (no pinentry), the steps sent over the socket as
// tests/agent/AgentRenewalTest.cpp's AgentRenewalPins sends them (the reference portal's letters,
// the test CA issuing the new certificate), and every Firmante window that opens answered like a
// person: a window that asks the PIN gets it typed, a letter gets "Firmar carta" (Enter), the
// deletion of the old pair gets "Eliminar" (Shift+Tab from the safe default, then Space). The
// windows are counted: the headless count (1 PIN, 3 confirmations) is the bound.
#include <gtest/gtest.h>

#include <openssl/rand.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <set>

#include "AgentClient.h"
#include "AgentProcess.h"
#include "AgentTestUtil.h"
#include "RenewalTestUtil.h"
#include "TestPki.h"
#include "XvfbServer.h"
#include "firmante/agent/Base64.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/portal/Codec.h"
#include "firmante/portal/LetterRenderer.h"
#include "firmante/testing/Process.h"

using namespace firmante::agent::testing;
using firmante::agent::base64Decode;
using firmante::agent::base64Encode;
using firmante::testing::Xvfb;
using nlohmann::json;

namespace {

// One Firmante window as the person met it.
struct Window {
    std::string step;
    std::string title;
    bool asksPin = false;
};

class XvfbRenewal : public ::testing::Test {
  protected:
    void SetUp() override {
        old = provisionCertificate(hsm, ca, "Patron 2024", firmante::pkcs11::KeyType::EcP256, true);
        firmante::testing::writeFile(agent.config().string(), "{}");
        agent.start();
        client = std::make_unique<AgentClient>(agent.socket());
        client->hello();
    }
    firmante::testing::ProcessResult xdotool(std::vector<std::string> args) {
        args.insert(args.begin(), {"timeout", "30", "xdotool"});
        return firmante::testing::run(args, {}, {{"DISPLAY", x.display()}});
    }
    // Sends one step and answers every Firmante window that opens until its response comes. A
    // window's title says what it asks: "Firmante — PIN de …" has the PIN field (typed, then
    // Enter; Enter alone would do nothing there, since the button waits for a PIN), "Confirmar la
    // eliminación" keeps everything on Enter (the person moves to "Eliminar"), the rest is a
    // confirmation whose default is the action. `cancel` answers every window with Escape.
    json step(const std::string& name, const std::string& method, const json& params,
              bool cancel = false) {
        auto response = std::async(std::launch::async, [&] {
            return client->call(method, params, json::object(), std::chrono::seconds(110));
        });
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(100);
        while (response.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
            if (std::chrono::steady_clock::now() > deadline) {
                ADD_FAILURE() << name << ": no answer within 100 s";
                break;
            }
            const auto found = xdotool({"search", "--onlyvisible", "--class", "^firmante$"}).out;
            for (std::size_t at = 0, end; (end = found.find('\n', at)) != std::string::npos;
                 at = end + 1) {
                const auto id = found.substr(at, end - at);
                if (!seen.insert(id).second) continue;
                answer(name, id, cancel);
            }
        }
        const json r = response.get();
        return r;
    }
    void answer(const std::string& stepName, const std::string& id, bool cancel) {
        Window w{stepName, xdotool({"getwindowname", id}).out, false};
        if (!w.title.empty() && w.title.back() == '\n') w.title.pop_back();
        w.asksPin = w.title.rfind("Firmante — PIN de ", 0) == 0;
        windows.push_back(w);
        EXPECT_EQ(xdotool({"windowfocus", "--sync", id}).exitCode, 0) << w.title;
        if (cancel) {
            EXPECT_EQ(xdotool({"key", "Escape"}).exitCode, 0);
        } else if (w.asksPin) {
            EXPECT_EQ(xdotool({"type", "--delay", "20", "123456"}).exitCode, 0);
            EXPECT_EQ(xdotool({"key", "Return"}).exitCode, 0);
        } else if (w.title == "Firmante — Confirmar la eliminación") {
            EXPECT_EQ(xdotool({"key", "shift+Tab", "space"}).exitCode, 0);
        } else {
            EXPECT_EQ(xdotool({"key", "Return"}).exitCode, 0);
        }
    }
    json result(const json& r, const std::string& name) {
        EXPECT_TRUE(r.contains("result")) << name << ": " << r.dump();
        return r.value("result", json());
    }

    Xvfb x;
    firmante::testing::TempDir dir{"firmante-xvfb-renewal"};
    firmante::testing::SoftHsmToken hsm{"Desktop Token"};
    TestCa ca;
    // No pinentry: an empty FIRMANTE_PINENTRY and a display make the agent use its own windows.
    AgentProcess agent{
        dir, hsm, {{"DISPLAY", x.display()}, {"FIRMANTE_PINENTRY", ""}, {"LANG", "es_MX.UTF-8"}}};
    std::unique_ptr<AgentClient> client;
    ProvisionedCertificate old;
    std::set<std::string> seen;  // windows already answered (X ids)
    std::vector<Window> windows;
};

}  // namespace

TEST_F(XvfbRenewal, StepsFourToTwelveAskThePinOnceAndShowEachLetterAndTheDeletion) {
    // Step 4: the new key and its CSR.
    const auto begun =
        result(step("begin", "renewal.begin", {{"certificate", old.uri}, {"keyType", "ec-p256"}}),
               "begin");
    const auto id = begun.value("renewalId", "");
    ASSERT_FALSE(id.empty()) << begun.dump();
    const auto newSpki = *base64Decode(begun.value("spki", ""));

    // Steps 5–6: the acceptance letter, signed with the expired certificate.
    auto content = letterContent(newSpki, old.spki);
    const auto acceptance = firmante::portal::LetterRenderer::acceptanceLetter(content);
    const auto letter1 = result(
        step("letter 1", "renewal.sign_letter",
             letterParams(id, "acceptance", acceptance, "CartadeAceptaciondeRenovacion.pdf")),
        "letter 1");
    const auto cms1 = base64Decode(letter1.value("cms", ""));
    ASSERT_TRUE(cms1);
    EXPECT_EQ(opensslCmsVerify(ca, dir.path(), acceptance, *cms1, true).exitCode, 0);

    // Steps 7–8: proof of possession of the new key, then the certificate the CA issues for it.
    std::vector<unsigned char> nonce(32);
    RAND_bytes(nonce.data(), 32);
    const auto proof = result(step("proof", "renewal.prove_possession",
                                   {{"renewalId", id}, {"nonce", base64Encode(nonce)}}),
                              "proof");
    const auto issued = ca.issue(newSpki, "/CN=Patron 2026/O=Firmante Tests");
    EXPECT_TRUE(
        verifyOriginBound(issued, "local", nonce, *base64Decode(proof.value("signature", ""))));
    result(step("install", "renewal.install_certificate",
                {{"renewalId", id},
                 {"certificate", base64Encode(issued)},
                 {"chain", json::array({base64Encode(ca.certificateDer())})}}),
           "install");

    // Steps 9–10: the terms letter, signed with the new certificate.
    content.previousLetterSha1 = firmante::portal::hexUpper(firmante::portal::sha1(acceptance));
    const auto terms = firmante::portal::LetterRenderer::termsLetter(content);
    const auto letter2 =
        result(step("letter 2", "renewal.sign_letter",
                    letterParams(id, "terms", terms, "CartaTerminosCondiciones.pdf")),
               "letter 2");
    const auto cms2 = base64Decode(letter2.value("cms", ""));
    ASSERT_TRUE(cms2);
    EXPECT_EQ(opensslCmsVerify(ca, dir.path(), terms, *cms2).exitCode, 0);

    // Steps 11–12: the old pair deleted (the person chose "Eliminar", not the default).
    const auto done = result(
        step("finish", "renewal.finish", {{"renewalId", id}, {"retireOld", true}}), "finish");
    EXPECT_EQ(done["retired"], true) << done.dump();

    std::size_t pins = 0, confirmations = 0;
    for (const auto& w : windows) {
        std::printf("# window in step %s: %s (%s)\n", w.step.c_str(), w.title.c_str(),
                    w.asksPin ? "PIN" : "confirmation");
        (w.asksPin ? pins : confirmations)++;
    }
    std::printf(
        "# PIN windows for renewal steps 4-12 with Firmante's windows: %zu (+%zu "
        "confirmations)\n",
        pins, confirmations);
    // The headless count (Agent.AgentRenewalPins): 1 PIN, 3 confirmations.
    EXPECT_LE(pins, 1u);
    EXPECT_EQ(pins, 1u) << "the renewal's token is unlocked by a PIN, once";
    EXPECT_EQ(confirmations, 3u) << "letter 1, letter 2, the deletion";
    ASSERT_EQ(windows.size(), 4u);
    EXPECT_EQ(windows[0].step, "begin");
    EXPECT_TRUE(windows[0].asksPin);
    EXPECT_EQ(windows[1].step, "letter 1");
    EXPECT_EQ(windows[1].title, "Firmante — Confirmar la firma");
    EXPECT_EQ(windows[2].step, "letter 2");
    EXPECT_EQ(windows[2].title, "Firmante — Confirmar la firma");
    EXPECT_EQ(windows[3].step, "finish");
    EXPECT_EQ(windows[3].title, "Firmante — Confirmar la eliminación");

    // renewal.finish locked the token again: a login with the new certificate (the only one
    // left) asks the PIN; the person cancels it.
    const auto certs = result(client->call("certificates.list"), "list")["certificates"];
    ASSERT_EQ(certs.size(), 1u) << certs.dump();
    const auto login = step("login", "auth.sign_challenge",
                            {{"certificate", certs[0]["uri"]},
                             {"nonce", base64Encode(std::vector<unsigned char>(32, 7))}},
                            true);
    EXPECT_EQ(reasonOf(login), "USER_CANCELLED") << login.dump();
    ASSERT_EQ(windows.size(), 5u);
    EXPECT_TRUE(windows[4].asksPin) << windows[4].title;
    EXPECT_FALSE(std::filesystem::exists(agent.pinentryLog())) << "no pinentry was started";
}
