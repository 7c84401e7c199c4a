// auth.sign_challenge and documents.sign through the real agent, its prompts, and OpenSSL as the
// independent verifier.
#include <gtest/gtest.h>

#include <openssl/rand.h>

#include "AgentFixture.h"
#include "firmante/agent/Base64.h"
#include "firmante/testing/Process.h"

using namespace firmante::agent::testing;
using firmante::agent::base64Decode;
using firmante::pkcs11::KeyType;
using nlohmann::json;

namespace {

class AgentSigning : public AgentFixture {
  protected:
    AgentSigning() : AgentFixture("firmante-agent-sign", "Agent Signing") {}
    std::vector<unsigned char> nonce() {
        std::vector<unsigned char> n(32);
        RAND_bytes(n.data(), static_cast<int>(n.size()));
        return n;
    }
};

}  // namespace

TEST_F(AgentSigning, ChallengeSignatureIsBoundToTheLocalOriginAndVerifiesWithOpenSsl) {
    const auto cert = provisionCertificate(hsm, ca, "Login Key", KeyType::EcP256, false);
    startAgent();
    agent.script("pin 123456\n");
    const auto n = nonce();
    const auto response = client->call("auth.sign_challenge", challengeParams(cert.uri, n));
    ASSERT_TRUE(response.contains("result")) << response.dump();
    const auto& r = response["result"];
    EXPECT_EQ(r["algorithm"], "ES256");
    EXPECT_EQ(*base64Decode(r["certificate"].get<std::string>()), cert.der);
    const auto signature = *base64Decode(r["signature"].get<std::string>());
    EXPECT_TRUE(verifyOriginBound(cert.der, "local", n, signature));
    EXPECT_FALSE(verifyOriginBound(cert.der, "https://evil.example", n, signature));

    const auto shown = prompts();
    ASSERT_EQ(shown.size(), 1u);
    EXPECT_EQ(shown[0]["command"], "GETPIN");
    const auto description = shown[0]["description"].get<std::string>();
    EXPECT_NE(description.find("Sitio: local"), std::string::npos) << description;
    EXPECT_NE(description.find("Iniciar sesión"), std::string::npos) << description;
    EXPECT_NE(description.find("Agent Signing"), std::string::npos) << description;
}

TEST_F(AgentSigning, DocumentSignatureVerifiesWithOpensslCmsAndThePromptShowsWhatIsSigned) {
    const auto cert = provisionCertificate(hsm, ca, "Document Key", KeyType::Rsa2048, false);
    startAgent();
    agent.script("pin 123456\n");
    const std::string document = "Contrato de prueba: el patrón acepta los términos.\n";
    const std::vector<unsigned char> bytes(document.begin(), document.end());
    const auto response =
        client->call("documents.sign", signParams(cert.uri, bytes, "contrato 2026.pdf"));
    ASSERT_TRUE(response.contains("result")) << response.dump();
    const auto expectedSha = firmante::pkcs11::toHex(firmante::pkcs11::sha256(bytes));
    EXPECT_EQ(response["result"]["documentSha256"], expectedSha);
    EXPECT_NE(response["result"]["signer"].get<std::string>().find("Document Key"),
              std::string::npos);

    const auto cms = *base64Decode(response["result"]["cms"].get<std::string>());
    const auto verify = opensslCmsVerify(ca, dir.path(), bytes, cms);
    EXPECT_EQ(verify.exitCode, 0) << verify.err;

    const auto shown = prompts();
    ASSERT_EQ(shown.size(), 1u);
    const auto description = shown[0]["description"].get<std::string>();
    EXPECT_NE(description.find("Sitio: local"), std::string::npos) << description;
    EXPECT_NE(description.find("Archivo: contrato 2026.pdf"), std::string::npos) << description;
    EXPECT_NE(description.find("SHA-256: " + expectedSha), std::string::npos) << description;
    EXPECT_NE(description.find("Firmar el documento"), std::string::npos) << description;
    EXPECT_NE(description.find("Document Key"), std::string::npos) << description;
}

TEST_F(AgentSigning, CancelInThePinPromptIsUserCancelled) {
    const auto cert = provisionCertificate(hsm, ca, "Cancel Key", KeyType::EcP256, false);
    startAgent();
    agent.script("cancel\n");
    const auto response = client->call("auth.sign_challenge", challengeParams(cert.uri, nonce()));
    EXPECT_EQ(reasonOf(response), "USER_CANCELLED");
    EXPECT_EQ(prompts().size(), 1u);
}

TEST_F(AgentSigning, WrongPinIsOneLoginAttemptReportedWithTheTriesHint) {
    const auto cert = provisionCertificate(hsm, ca, "Wrong Pin Key", KeyType::EcP256, false);
    startAgent();
    agent.script("pin 999999\n");
    const auto wrong = client->call("auth.sign_challenge", challengeParams(cert.uri, nonce()));
    ASSERT_EQ(reasonOf(wrong), "PIN_INCORRECT") << wrong.dump();
    const auto& data = wrong["error"]["data"];
    EXPECT_TRUE(data.contains("pinCountLow")) << data.dump();
    EXPECT_TRUE(data["pinCountLow"].get<bool>() || data.contains("triesLeft")) << data.dump();
    // Asked exactly once: a wrong PIN is never retried with another prompt or the same PIN.
    EXPECT_EQ(prompts().size(), 1u);

    // The token recorded that one failure; the next prompt warns about it...
    agent.script("pin 123456\n");
    const auto right = client->call("auth.sign_challenge", challengeParams(cert.uri, nonce()));
    ASSERT_TRUE(right.contains("result")) << right.dump();
    const auto shown = prompts();
    ASSERT_EQ(shown.size(), 2u);
    EXPECT_TRUE(shown[1].contains("error")) << shown[1].dump();
    // ...and the correct PIN still works, so the token is not locked.
    EXPECT_EQ(shown[1]["answer"], "pin");
}

TEST_F(AgentSigning, ExpiredCertificateCannotSignDocumentsAndNoPromptIsShown) {
    const auto cert = provisionCertificate(hsm, ca, "Old Key", KeyType::EcP256, true);
    startAgent();
    agent.script("pin 123456\n");
    const auto response = client->call(
        "documents.sign", signParams(cert.uri, std::vector<unsigned char>{1, 2, 3}, "a.pdf"));
    EXPECT_EQ(reasonOf(response), "CERTIFICATE_EXPIRED");
    EXPECT_TRUE(prompts().empty());
}

TEST_F(AgentSigning, ExpiredCertificateStillSignsALoginChallenge) {
    // Manual step 1–2: the portal learns the certificate expired only after the login signature.
    const auto cert = provisionCertificate(hsm, ca, "Expired Login", KeyType::EcP256, true);
    startAgent();
    agent.script("pin 123456\n");
    const auto n = nonce();
    const auto response = client->call("auth.sign_challenge", challengeParams(cert.uri, n));
    ASSERT_TRUE(response.contains("result")) << response.dump();
    EXPECT_TRUE(verifyOriginBound(
        cert.der, "local", n, *base64Decode(response["result"]["signature"].get<std::string>())));
}

TEST_F(AgentSigning, CertificatesListReturnsTheStoredCertificate) {
    const auto cert = provisionCertificate(hsm, ca, "Listed Key", KeyType::EcP256, true);
    startAgent();
    const auto response = client->call("certificates.list");
    ASSERT_TRUE(response.contains("result")) << response.dump();
    const auto& list = response["result"]["certificates"];
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0]["uri"], cert.uri);
    EXPECT_EQ(list[0]["expired"], true);
    EXPECT_EQ(*base64Decode(list[0]["der"].get<std::string>()), cert.der);
    EXPECT_EQ(list[0]["spkiSha256"], firmante::pkcs11::toHex(firmante::pkcs11::sha256(cert.spki)));
    EXPECT_NE(list[0]["subject"].get<std::string>().find("Listed Key"), std::string::npos);
    const auto byToken = client->call("certificates.list", {{"token", "Agent Signing"}});
    EXPECT_EQ(byToken["result"]["certificates"].size(), 1u);
    EXPECT_EQ(reasonOf(client->call("certificates.list", {{"token", "No Such Token"}})),
              "TOKEN_NOT_PRESENT");
    EXPECT_TRUE(prompts().empty());  // listing needs no PIN
}

TEST_F(AgentSigning, UnknownCertificateAndTokenAreReportedBeforeAnyPrompt) {
    startAgent();
    agent.script("pin 123456\n");
    EXPECT_EQ(reasonOf(client->call(
                  "auth.sign_challenge",
                  challengeParams("pkcs11:token=Agent%20Signing;id=%99;type=cert", nonce()))),
              "CERTIFICATE_NOT_FOUND");
    EXPECT_EQ(
        reasonOf(client->call("auth.sign_challenge",
                              challengeParams("pkcs11:token=Elsewhere;id=%01;type=cert", nonce()))),
        "TOKEN_NOT_PRESENT");
    EXPECT_TRUE(prompts().empty());
}

TEST_F(AgentSigning, DocumentAboveTheLimitIsTooLargeBeforeDecoding) {
    startAgent();
    const std::vector<unsigned char> big(10 * 1024 * 1024 + 1, 'x');
    const auto response = client->call(
        "documents.sign", signParams("pkcs11:token=Agent%20Signing;id=%01", big, "big.pdf"));
    EXPECT_EQ(reasonOf(response), "TOO_LARGE");
}

// Issue 11 §4: a key with CKA_ALWAYS_AUTHENTICATE (SoftHSM enforces it: no context-specific login,
// no signature) asks twice in a fresh session — the login, then the PIN again right before the
// signature, saying why — and the document signature verifies with openssl; a normal key, once.
TEST_F(AgentSigning, AKeyThatWantsThePinForEachSignatureIsAskedTwiceAndSaysWhy) {
    const auto qualified = provisionAlwaysAuthenticateCertificate(hsm, ca, "Calificada");
    const auto normal = provisionCertificate(hsm, ca, "Normal", KeyType::EcP256, false);
    startAgent();
    agent.script("pin 123456\npin 123456\npin 123456\n");
    const std::string document = "Acta firmada con firma calificada.\n";
    const std::vector<unsigned char> bytes(document.begin(), document.end());
    const auto response =
        client->call("documents.sign", signParams(qualified.uri, bytes, "acta.txt"));
    ASSERT_TRUE(response.contains("result")) << response.dump();
    const auto cms = *base64Decode(response["result"]["cms"].get<std::string>());
    const auto verify = opensslCmsVerify(ca, dir.path(), bytes, cms);
    EXPECT_EQ(verify.exitCode, 0) << verify.err;

    auto shown = prompts();
    ASSERT_EQ(shown.size(), 2u);
    EXPECT_EQ(shown[0]["command"], "GETPIN");
    EXPECT_EQ(shown[1]["command"], "GETPIN");
    const auto first = shown[0]["description"].get<std::string>();
    const auto second = shown[1]["description"].get<std::string>();
    EXPECT_EQ(first.find("otra vez"), std::string::npos) << first;
    EXPECT_NE(second.find("Esta llave exige el PIN otra vez para cada firma"), std::string::npos)
        << second;
    EXPECT_NE(second.find("This key requires the PIN again"), std::string::npos) << second;
    EXPECT_NE(second.find("Archivo: acta.txt"), std::string::npos) << second;

    const auto plain = client->call("documents.sign", signParams(normal.uri, bytes, "acta.txt"));
    ASSERT_TRUE(plain.contains("result")) << plain.dump();
    EXPECT_EQ(prompts().size(), 3u);  // one more: the normal key's login only
}

TEST_F(AgentSigning, CancellingThePerSignaturePinSignsNothing) {
    const auto qualified = provisionAlwaysAuthenticateCertificate(hsm, ca, "Calificada");
    startAgent();
    agent.script("pin 123456\ncancel\n");
    const auto response =
        client->call("auth.sign_challenge", challengeParams(qualified.uri, nonce()));
    EXPECT_EQ(reasonOf(response), "USER_CANCELLED") << response.dump();
    EXPECT_EQ(prompts().size(), 2u);
}
