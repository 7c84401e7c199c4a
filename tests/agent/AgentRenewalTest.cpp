// The whole renewal (DESIGN §4 steps 4–12) through the real agent, with the agent killed by
// SIGKILL after every step and restarted: the journal keeps the step, the renewal completes, and
// the old key and certificate stay on the token until renewal.finish. Every signature is checked
// with OpenSSL; the letters are the reference portal's PDFs.
#include <gtest/gtest.h>

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <algorithm>
#include <csignal>
#include <cstdio>

#include "AgentFixture.h"
#include "RenewalTestUtil.h"
#include "firmante/agent/Base64.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/portal/Codec.h"
#include "firmante/portal/LetterRenderer.h"
#include "firmante/portal/Pki.h"
#include "firmante/testing/Process.h"

using namespace firmante::agent::testing;
using firmante::agent::base64Decode;
using firmante::agent::base64Encode;
using nlohmann::json;

namespace {

class AgentRenewal : public AgentFixture {
  protected:
    AgentRenewal() : AgentFixture("firmante-agent-renewal", "Agent Renewal") {}
    void SetUp() override { configure(nlohmann::json::object()); }
    void start() {
        agent.start();
        connectCli();
    }
    // A crash at the worst moment: right after the step's answer, no clean shutdown.
    void crashAndRestart() {
        client.reset();
        agent.stop(SIGKILL);
        start();
    }
    json call(const std::string& method, json params) {
        auto response = client->call(method, std::move(params));
        EXPECT_TRUE(response.contains("result")) << method << ": " << response.dump();
        return response.value("result", json());
    }
    json status(const std::string& id) { return call("renewal.status", {{"renewalId", id}}); }
    std::vector<std::string> certificateUris() {
        std::vector<std::string> uris;
        const auto list = call("certificates.list", nullptr);  // kept alive for the loop
        for (const auto& c : list["certificates"]) uris.push_back(c["uri"].get<std::string>());
        return uris;
    }
    // Letter 1 is signed with the expired certificate on purpose (manual steps 5–6).
    bool cmsVerifies(const firmante::portal::Bytes& document, const std::vector<unsigned char>& cms,
                     bool expiredSigner) {
        const auto r = opensslCmsVerify(ca, dir.path(), document, cms, expiredSigner);
        EXPECT_EQ(r.exitCode, 0) << r.err;
        return r.exitCode == 0;
    }

    // An expired certificate (EC P-256) on the token, the agent started and renewal.begin for
    // it, the fake pinentry answering `answers`: where every renewal here starts.
    struct Begun {
        ProvisionedCertificate old;
        json result;
        std::string id;
        firmante::pkcs11::Bytes newSpki;
    };
    Begun begin(const std::string& label, const std::string& answers = "pin 123456\n") {
        Begun b;
        b.old = provisionCertificate(hsm, ca, label, firmante::pkcs11::KeyType::EcP256, true);
        start();
        agent.script(answers);
        b.result = call("renewal.begin", {{"certificate", b.old.uri}, {"keyType", "ec-p256"}});
        b.id = b.result.value("renewalId", "");
        if (auto spki = base64Decode(b.result.value("spki", ""))) b.newSpki = std::move(*spki);
        return b;
    }
    // renewal.install_certificate's parameters, the chain carrying the CA, whose signature the
    // agent checks on both certificates (issue 9 §8).
    json installParams(const std::string& id, const std::vector<unsigned char>& certificate) const {
        return {{"renewalId", id},
                {"certificate", base64Encode(certificate)},
                {"chain", json::array({base64Encode(ca.certificateDer())})}};
    }
    std::vector<unsigned char> issueFor(const firmante::pkcs11::Bytes& newSpki) const {
        return ca.issue(newSpki, "/CN=Patron 2026/O=Firmante Tests");
    }
};

firmante::pkcs11::Bytes csrSpki(const std::string& pem) {
    firmante::pkcs11::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    X509_REQ* req = PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr);
    if (!req) return {};
    EVP_PKEY* key = X509_REQ_get0_pubkey(req);
    const bool signedByItsKey = X509_REQ_verify(req, key) == 1;
    firmante::pkcs11::Bytes spki =
        signedByItsKey ? firmante::pkcs11::publicKeySpki(key) : firmante::pkcs11::Bytes{};
    X509_REQ_free(req);
    return spki;
}

}  // namespace

TEST_F(AgentRenewal, CompletesAcrossAgentCrashesAfterEveryStepKeepingTheOldPairUntilFinish) {
    // Step 4: new key on the token, CSR signed by it.
    const auto [old, begun, id, newSpki] = begin("Patron 2024");
    EXPECT_EQ(csrSpki(begun["csr"].get<std::string>()), newSpki);
    EXPECT_EQ(begun["keyAttributes"]["local"], true);
    EXPECT_EQ(begun["keyAttributes"]["extractable"], false);
    EXPECT_EQ(begun["spkiHex"], firmante::pkcs11::spkiHex(newSpki));
    ASSERT_FALSE(std::filesystem::is_empty(agent.stateDir() / "renewals"));
    crashAndRestart();
    EXPECT_EQ(status(id)["state"], "begun");

    // Steps 5–6: the acceptance letter, signed with the expired certificate.
    auto content = letterContent(newSpki, old.spki);
    const auto acceptance = firmante::portal::LetterRenderer::acceptanceLetter(content);
    agent.script("pin 123456\n");
    const auto letter1 =
        call("renewal.sign_letter",
             letterParams(id, "acceptance", acceptance, "CartadeAceptaciondeRenovacion.pdf"));
    EXPECT_TRUE(cmsVerifies(acceptance, *base64Decode(letter1["cms"].get<std::string>()), true));
    const auto shown = prompts();
    ASSERT_FALSE(shown.empty());
    const auto description = shown.back()["description"].get<std::string>();
    EXPECT_NE(description.find("CartadeAceptaciondeRenovacion.pdf"), std::string::npos);
    EXPECT_NE(description.find(firmante::pkcs11::toHex(firmante::pkcs11::sha256(acceptance))),
              std::string::npos);
    crashAndRestart();
    EXPECT_EQ(status(id)["state"], "acceptanceSigned");

    // Step 9: proof of possession by the new key, bound to the attested origin.
    std::vector<unsigned char> nonce(32);
    RAND_bytes(nonce.data(), 32);
    agent.script("pin 123456\n");
    const auto proof =
        call("renewal.prove_possession", {{"renewalId", id}, {"nonce", base64Encode(nonce)}});
    const auto issued = issueFor(newSpki);
    EXPECT_TRUE(verifyOriginBound(issued, "local", nonce,
                                  *base64Decode(proof["signature"].get<std::string>())));
    crashAndRestart();
    EXPECT_EQ(status(id)["state"], "possessionProved");

    // Step 9: the new certificate goes onto the token next to the new key.
    agent.script("pin 123456\n");
    const auto installed = call("renewal.install_certificate", installParams(id, issued));
    const std::string newUri = installed["uri"].get<std::string>();
    crashAndRestart();
    EXPECT_EQ(status(id)["state"], "certificateInstalled");
    auto uris = certificateUris();
    EXPECT_EQ(uris.size(), 2u);  // old and new side by side

    // Steps 10–11: the terms letter, with the acceptance letter's SHA-1, signed with the new one.
    content.previousLetterSha1 = firmante::portal::hexUpper(firmante::portal::sha1(acceptance));
    const auto terms = firmante::portal::LetterRenderer::termsLetter(content);
    agent.script("pin 123456\n");
    const auto letter2 = call("renewal.sign_letter",
                              letterParams(id, "terms", terms, "CartaTerminosCondiciones.pdf"));
    EXPECT_TRUE(cmsVerifies(terms, *base64Decode(letter2["cms"].get<std::string>()), false));
    crashAndRestart();
    EXPECT_EQ(status(id)["state"], "termsSigned");
    uris = certificateUris();
    EXPECT_NE(std::find(uris.begin(), uris.end(), old.uri), uris.end())
        << "the old certificate must stay until finish";

    // Step 12: finish, retiring the old pair only after the person confirms.
    agent.script("confirm yes\npin 123456\n");
    const auto done = call("renewal.finish", {{"renewalId", id}, {"retireOld", true}});
    EXPECT_EQ(done["done"], true);
    EXPECT_EQ(done["retired"], true);
    crashAndRestart();
    EXPECT_EQ(status(id)["state"], "finished");
    EXPECT_EQ(certificateUris(), std::vector<std::string>{newUri});
}

TEST_F(AgentRenewal, LetterWithoutTheNewKeyIsLetterMismatchAndNothingIsSigned) {
    const auto begun = begin("Patron Viejo");
    firmante::portal::LetterContent content;
    content.newSpki = begun.old.spki;  // a letter naming some other key as the new one
    content.oldSpki = begun.old.spki;
    content.folio = "00";
    content.date = std::chrono::system_clock::now();
    const auto wrong = firmante::portal::LetterRenderer::acceptanceLetter(content);
    const auto promptsBefore = prompts().size();
    agent.script("pin 123456\n");
    const auto response =
        client->call("renewal.sign_letter", letterParams(begun.id, "acceptance", wrong, "x.pdf"));
    EXPECT_EQ(reasonOf(response), "LETTER_MISMATCH");
    EXPECT_EQ(prompts().size(), promptsBefore);  // no PIN asked
    EXPECT_EQ(status(begun.id)["state"], "begun");
}

TEST_F(AgentRenewal, UnknownRenewalIsRenewalStateAndBadParamsAreRefusedFirst) {
    start();
    EXPECT_EQ(reasonOf(client->call("renewal.prove_possession",
                                    {{"renewalId", "nope"},
                                     {"nonce", base64Encode(std::vector<unsigned char>(16, 1))}})),
              "RENEWAL_STATE");
    EXPECT_EQ(
        reasonOf(client->call(
            "renewal.sign_letter",
            {{"renewalId", "x"}, {"stage", "other"}, {"document", "QQ=="}, {"fileName", "a"}})),
        "INVALID_PARAMS");
    EXPECT_EQ(reasonOf(client->call("renewal.begin",
                                    {{"certificate", "pkcs11:id=%01"}, {"keyType", "rsa-512"}})),
              "INVALID_PARAMS");
    EXPECT_TRUE(call("renewal.status", nullptr).contains("renewals"));
}

namespace {
/// A letter of the hostile corpus (tests/letters/make_letters.py) written for this renewal.
std::vector<unsigned char> corpusLetter(const firmante::testing::TempDir& dir,
                                        const std::string& name, const std::string& newHex,
                                        const std::string& oldHex) {
    const auto out = dir / (name + ".pdf");
    firmante::pkcs11::EvpPkeyPtr other(EVP_EC_gen("P-256"));
    const auto made = firmante::testing::run(
        {"python3", FIRMANTE_LETTER_SCRIPT, "--case", name, "--new", newHex, "--old", oldHex,
         "--foreign", firmante::pkcs11::spkiHex(firmante::pkcs11::publicKeySpki(other.get())),
         "--out", out.string()});
    EXPECT_EQ(made.exitCode, 0) << made.err;
    const std::string bytes = firmante::testing::readFile(out.string());
    return {bytes.begin(), bytes.end()};
}
}  // namespace

// Issue 9 §1 on the wire: letters whose rendered page shows a foreign key under "Llave Pública
// Nueva" get LETTER_MISMATCH from the real agent, with no prompt and no CMS; a two-column layout
// of an honest letter is still signed, and its prompt shows the fingerprint the portal shows.
TEST_F(AgentRenewal, HostileLettersAreLetterMismatchOnTheWireAndAnHonestVariantSigns) {
    const auto [old, begun, id, newSpki] = begin("Patron Viejo");
    const std::string newHex = begun["spkiHex"];
    const std::string oldHex = firmante::pkcs11::spkiHex(old.spki);
    const auto promptsBefore = prompts().size();
    for (const char* name : {"a-render-mode-3", "a-white-box-over", "a-actualtext",
                             "a-incremental-update", "a-heading-zero-width", "a-javascript"}) {
        const auto letter = corpusLetter(dir, name, newHex, oldHex);
        const auto response = client->call("renewal.sign_letter",
                                           letterParams(id, "acceptance", letter, "carta.pdf"));
        EXPECT_EQ(reasonOf(response), "LETTER_MISMATCH") << name;
        EXPECT_FALSE(response.contains("result")) << name;
    }
    EXPECT_EQ(prompts().size(), promptsBefore);  // no PIN asked
    EXPECT_EQ(status(id)["state"], "begun");

    const auto honest = corpusLetter(dir, "va-two-columns", newHex, oldHex);
    // Issue 12 §3: the token is still unlocked from renewal.begin; the letter is shown and
    // confirmed, without a second PIN.
    agent.script("confirm yes\n");
    const auto signedLetter =
        call("renewal.sign_letter", letterParams(id, "acceptance", honest, "carta.pdf"));
    EXPECT_TRUE(cmsVerifies(honest, *base64Decode(signedLetter["cms"].get<std::string>()), true));
    // Issue 9 §2: the prompt names the new key by the fingerprint the portal's page computes on
    // its own from the SPKI it received.
    const auto shown = prompts();
    ASSERT_FALSE(shown.empty());
    const auto fingerprint = firmante::portal::spkiFingerprint(newSpki);
    EXPECT_EQ(fingerprint.size(), 16u * 4 + 15);
    EXPECT_NE(shown.back()["description"].get<std::string>().find(fingerprint), std::string::npos)
        << shown.back()["description"];
}

// Issue 9 §1: documents.sign does not sign a renewal letter (that would skip the letter check);
// it points to renewal.sign_letter. An ordinary PDF still signs.
TEST_F(AgentRenewal, DocumentsSignRefusesARenewalLetter) {
    const auto cert =
        provisionCertificate(hsm, ca, "Patron Vigente", firmante::pkcs11::KeyType::EcP256, false);
    start();
    const auto letter =
        firmante::portal::LetterRenderer::acceptanceLetter(letterContent(cert.spki, cert.spki));
    const auto promptsBefore = prompts().size();
    const auto refused = client->call("documents.sign", signParams(cert.uri, letter, "carta.pdf"));
    EXPECT_EQ(reasonOf(refused), "LETTER_MISMATCH");
    EXPECT_NE(refused.dump().find("renewal.sign_letter"), std::string::npos) << refused.dump();
    EXPECT_EQ(prompts().size(), promptsBefore);

    const auto other = corpusLetter(dir, "plain-document", firmante::pkcs11::spkiHex(cert.spki),
                                    firmante::pkcs11::spkiHex(cert.spki));
    agent.script("pin 123456\n");
    const auto signedDoc = call("documents.sign", signParams(cert.uri, other, "factura.pdf"));
    EXPECT_TRUE(signedDoc.contains("cms"));
}

namespace {

struct PromptCount {
    std::size_t pins = 0;
    std::size_t confirms = 0;
};

PromptCount countPrompts(const std::vector<json>& shown) {
    PromptCount c;
    for (const auto& p : shown) {
        if (p["command"] == "GETPIN") ++c.pins;
        if (p["command"] == "CONFIRM") ++c.confirms;
    }
    return c;
}

}  // namespace

// Issue 12 §3: steps 4–12 in one agent run. `scripts` are the person's answers per step (begin,
// letter 1, proof, install, letter 2, finish); returns the prompts the fake pinentry recorded.
class AgentRenewalPins : public AgentRenewal {
  protected:
    std::vector<json> renewInOneRun(const std::vector<std::string>& scripts) {
        const auto [old, begun, id, newSpki] = begin("Patron 2024", scripts.at(0));
        auto content = letterContent(newSpki, old.spki);
        const auto acceptance = firmante::portal::LetterRenderer::acceptanceLetter(content);
        agent.script(scripts.at(1));
        const auto letter1 =
            call("renewal.sign_letter",
                 letterParams(id, "acceptance", acceptance, "CartadeAceptaciondeRenovacion.pdf"));
        EXPECT_TRUE(cmsVerifies(acceptance, *base64Decode(letter1.value("cms", "")), true));
        std::vector<unsigned char> nonce(32);
        RAND_bytes(nonce.data(), 32);
        agent.script(scripts.at(2));
        const auto proof =
            call("renewal.prove_possession", {{"renewalId", id}, {"nonce", base64Encode(nonce)}});
        const auto issued = issueFor(newSpki);
        EXPECT_TRUE(
            verifyOriginBound(issued, "local", nonce, *base64Decode(proof.value("signature", ""))));
        agent.script(scripts.at(3));
        call("renewal.install_certificate", installParams(id, issued));
        content.previousLetterSha1 = firmante::portal::hexUpper(firmante::portal::sha1(acceptance));
        const auto terms = firmante::portal::LetterRenderer::termsLetter(content);
        agent.script(scripts.at(4));
        const auto letter2 = call("renewal.sign_letter",
                                  letterParams(id, "terms", terms, "CartaTerminosCondiciones.pdf"));
        EXPECT_TRUE(cmsVerifies(terms, *base64Decode(letter2.value("cms", "")), false));
        agent.script(scripts.at(5));
        const auto done = call("renewal.finish", {{"renewalId", id}, {"retireOld", true}});
        EXPECT_EQ(done["retired"], true);
        return prompts();
    }
};

TEST_F(AgentRenewalPins, OneRenewalAsksThePinOnceAndStillShowsEachLetterForConfirmation) {
    const auto shown =
        renewInOneRun({"pin 123456\n", "confirm yes\n", "", "", "confirm yes\n", "confirm yes\n"});
    const auto count = countPrompts(shown);
    std::printf("# PIN prompts for renewal steps 4-12 in one agent run: %zu\n", count.pins);
    EXPECT_EQ(count.pins, 1u);
    EXPECT_EQ(count.confirms, 3u);  // letter 1, letter 2, deleting the old pair
    for (const char* letter :
         {"CartadeAceptaciondeRenovacion.pdf", "CartaTerminosCondiciones.pdf"}) {
        const auto it = std::find_if(shown.begin(), shown.end(), [&](const json& p) {
            return p["description"].get<std::string>().find(letter) != std::string::npos;
        });
        ASSERT_NE(it, shown.end()) << letter;
        EXPECT_EQ((*it)["command"], "CONFIRM");
        EXPECT_NE((*it)["description"].get<std::string>().find("SHA-256: "), std::string::npos);
    }
    // renewal.finish locked the token: the next use of a key asks the PIN again.
    agent.script("cancel\n");
    const auto certs = call("certificates.list", nullptr)["certificates"];
    ASSERT_EQ(certs.size(), 1u);
    const auto login = client->call("auth.sign_challenge",
                                    {{"certificate", certs[0]["uri"]},
                                     {"nonce", base64Encode(std::vector<unsigned char>(32, 7))}});
    EXPECT_EQ(reasonOf(login), "USER_CANCELLED");
    const auto after = prompts();
    ASSERT_EQ(after.size(), shown.size() + 1);
    EXPECT_EQ(after.back()["command"], "GETPIN");
}

TEST_F(AgentRenewalPins, AlwaysAskInTheConfigAsksThePinAtEveryStep) {
    configure({{"pin", {{"alwaysAsk", true}}}});
    const auto shown = renewInOneRun({"pin 123456\n", "pin 123456\n", "pin 123456\n",
                                      "pin 123456\n", "pin 123456\n", "confirm yes\npin 123456\n"});
    const auto count = countPrompts(shown);
    EXPECT_EQ(count.pins, 6u);
    EXPECT_EQ(count.confirms, 1u);
}

// Issue 9 §8 on the wire: a certificate for the new key from a CA that merely carries the
// genuine CA's name ("Firmante Test CA", its own key) gets CERTIFICATE_UNTRUSTED from the real
// agent, before any prompt, with nothing stored — also when the portal sends that CA as the
// chain. Once the configuration trusts that CA for the origin (`renewal.trustedIssuers`), the
// same certificate is installed; a CA trusted for another origin does not count.
TEST_F(AgentRenewal, CertificateFromACaBorrowingTheNameIsUntrustedUntilTheConfigTrustsIt) {
    const auto [old, begun, id, newSpki] = begin("Patron Viejo");
    agent.script("confirm yes\n");  // the letter is confirmed; the PIN was asked once, at begin
    call("renewal.sign_letter", letterParams(id, "acceptance",
                                             firmante::portal::LetterRenderer::acceptanceLetter(
                                                 letterContent(newSpki, old.spki)),
                                             "carta.pdf"));
    std::vector<unsigned char> nonce(32, 7);
    agent.script("pin 123456\n");
    call("renewal.prove_possession", {{"renewalId", id}, {"nonce", base64Encode(nonce)}});
    ASSERT_EQ(status(id)["state"], "possessionProved");

    const TestCa impostor;  // same subject name as `ca`, another key
    ASSERT_EQ(X509_NAME_cmp(X509_get_subject_name(impostor.certificate()),
                            X509_get_subject_name(ca.certificate())),
              0);
    const auto now = std::chrono::system_clock::now();
    const auto issued = impostor.issue(newSpki, "/CN=Patron 2026/O=Firmante Tests",
                                       now - std::chrono::hours(1), now + std::chrono::hours(24));
    const std::string impostorDer = base64Encode(impostor.certificateDer());
    const auto promptsBefore = prompts().size();
    for (const json& chain : {json::array(), json::array({impostorDer})}) {
        const auto refused = client->call(
            "renewal.install_certificate",
            {{"renewalId", id}, {"certificate", base64Encode(issued)}, {"chain", chain}});
        EXPECT_EQ(reasonOf(refused), "CERTIFICATE_UNTRUSTED") << refused.dump();
        EXPECT_FALSE(refused.contains("result"));
    }
    EXPECT_EQ(prompts().size(), promptsBefore);  // no PIN asked
    EXPECT_EQ(status(id)["state"], "possessionProved");
    EXPECT_EQ(certificateUris().size(), 1u);  // nothing stored

    // Trusted for another origin only: still refused.
    const auto trusting = [&](const std::string& origin) {
        client.reset();
        agent.stop();
        configure({{"renewal", {{"trustedIssuers", {{origin, {impostor.pemPath().string()}}}}}}});
        start();
    };
    trusting("https://otro.example");
    EXPECT_EQ(reasonOf(client->call("renewal.install_certificate",
                                    {{"renewalId", id}, {"certificate", base64Encode(issued)}})),
              "CERTIFICATE_UNTRUSTED");
    EXPECT_EQ(certificateUris().size(), 1u);

    // Trusted for this origin (the CLI's, "local"): installed next to the old one.
    trusting("local");
    agent.script("pin 123456\n");
    const auto installed = call("renewal.install_certificate",
                                {{"renewalId", id}, {"certificate", base64Encode(issued)}});
    EXPECT_TRUE(installed.contains("uri")) << installed.dump();
    EXPECT_EQ(status(id)["state"], "certificateInstalled");
    EXPECT_EQ(certificateUris().size(), 2u);
}
