// documents.sign_batch (issue 12 §4) through the real agent: one prompt listing every document,
// one PIN, and each signature checked by `openssl cms -verify`; its limits before any prompt.
#include <gtest/gtest.h>

#include <openssl/rand.h>

#include <chrono>
#include <cstdio>

#include "AgentFixture.h"
#include "firmante/agent/Base64.h"
#include "firmante/testing/Process.h"

using namespace firmante::agent::testing;
using firmante::agent::base64Decode;
using firmante::agent::base64Encode;
using firmante::pkcs11::KeyType;
using nlohmann::json;

namespace {

class AgentBatchSigning : public AgentFixture {
  protected:
    AgentBatchSigning() : AgentFixture("firmante-agent-batch", "Agent Batch") {}
    static std::vector<unsigned char> randomBytes(std::size_t n) {
        std::vector<unsigned char> b(n);
        RAND_bytes(b.data(), static_cast<int>(b.size()));
        return b;
    }
    static json documentsJson(const std::vector<std::vector<unsigned char>>& docs) {
        json list = json::array();
        for (std::size_t i = 0; i < docs.size(); ++i) {
            char name[48];
            std::snprintf(name, sizeof name, "documento-%02zu.bin", i + 1);
            list.push_back({{"document", base64Encode(docs[i])}, {"fileName", name}});
        }
        return list;
    }
};

}  // namespace

TEST_F(AgentBatchSigning, TwentyDocumentsAskOnePinAndEachSignatureVerifiesWithOpenssl) {
    const auto cert = provisionCertificate(hsm, ca, "Batch Key", KeyType::Rsa2048, false);
    startAgent();
    std::vector<std::vector<unsigned char>> docs;
    for (int i = 0; i < 20; ++i) docs.push_back(randomBytes(100 * 1024));
    agent.script("pin 123456\n");
    const auto started = std::chrono::steady_clock::now();
    const auto response = client->call(
        "documents.sign_batch", {{"certificate", cert.uri}, {"documents", documentsJson(docs)}});
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    ASSERT_TRUE(response.contains("result")) << response.dump().substr(0, 500);
    // The figure docs/desktop.md reports (PIN prompt included: the fake person answers at once).
    std::printf("# batch of 20 x 100 KiB: %lld ms\n", static_cast<long long>(elapsed.count()));

    const auto& results = response["result"]["results"];
    ASSERT_EQ(results.size(), 20u);
    for (std::size_t i = 0; i < docs.size(); ++i) {
        char name[48];
        std::snprintf(name, sizeof name, "documento-%02zu.bin", i + 1);
        EXPECT_EQ(results[i]["fileName"], name);
        EXPECT_EQ(results[i]["documentSha256"],
                  firmante::pkcs11::toHex(firmante::pkcs11::sha256(docs[i])));
        const auto cms = *base64Decode(results[i]["cms"].get<std::string>());
        const auto verify = opensslCmsVerify(ca, dir.path(), docs[i], cms);
        EXPECT_EQ(verify.exitCode, 0) << name << ": " << verify.err;
        // A signature belongs to its own document only.
        if (i > 0) {
            EXPECT_NE(opensslCmsVerify(ca, dir.path(), docs[i - 1], cms).exitCode, 0) << name;
        }
    }

    const auto shown = prompts();
    ASSERT_EQ(shown.size(), 1u) << "one prompt for the whole batch";
    EXPECT_EQ(shown[0]["command"], "GETPIN");
    const auto description = shown[0]["description"].get<std::string>();
    EXPECT_NE(description.find("Firmar 20 documentos"), std::string::npos) << description;
    EXPECT_NE(
        description.find("1. documento-01.bin — " +
                         firmante::pkcs11::toHex(firmante::pkcs11::sha256(docs[0])).substr(0, 16)),
        std::string::npos)
        << description;
}

TEST_F(AgentBatchSigning, LimitsAreRefusedBeforeAnyPromptOrDecoding) {
    const auto cert = provisionCertificate(hsm, ca, "Batch Key", KeyType::EcP256, false);
    startAgent({{"limits", {{"maxBatchBytes", 1000000}}}});
    agent.script("pin 123456\n");

    std::vector<std::vector<unsigned char>> many(101, std::vector<unsigned char>{'x'});
    auto r = client->call("documents.sign_batch",
                          {{"certificate", cert.uri}, {"documents", documentsJson(many)}});
    EXPECT_EQ(reasonOf(r), "TOO_LARGE") << r.dump();

    // Two documents, each within the per-document limit, together above the batch limit.
    std::vector<std::vector<unsigned char>> two(2, std::vector<unsigned char>(600000, 'y'));
    r = client->call("documents.sign_batch",
                     {{"certificate", cert.uri}, {"documents", documentsJson(two)}});
    EXPECT_EQ(reasonOf(r), "TOO_LARGE") << r.dump().substr(0, 300);

    r = client->call("documents.sign_batch",
                     {{"certificate", cert.uri}, {"documents", json::array()}});
    EXPECT_EQ(reasonOf(r), "INVALID_PARAMS");
    r = client->call("documents.sign_batch",
                     {{"certificate", cert.uri},
                      {"documents", json::array({{{"document", "eA=="}, {"fileName", "../x"}}})}});
    EXPECT_EQ(reasonOf(r), "INVALID_PARAMS");
    r = client->call(
        "documents.sign_batch",
        {{"certificate", cert.uri},
         {"documents",
          json::array({{{"document", "eA=="}, {"fileName", "a.txt"}, {"pin", "123456"}}})}});
    EXPECT_EQ(reasonOf(r), "INVALID_PARAMS");
    EXPECT_TRUE(prompts().empty());

    // And within the limits the same agent signs (the refusals cost nothing).
    r = client->call("documents.sign_batch",
                     {{"certificate", cert.uri}, {"documents", documentsJson({{'a'}, {'b'}})}});
    ASSERT_TRUE(r.contains("result")) << r.dump();
    EXPECT_EQ(r["result"]["results"].size(), 2u);
}

TEST_F(AgentBatchSigning, CancelSignsNothing) {
    const auto cert = provisionCertificate(hsm, ca, "Batch Key", KeyType::EcP256, false);
    startAgent();
    agent.script("cancel\n");
    const auto r = client->call(
        "documents.sign_batch",
        {{"certificate", cert.uri}, {"documents", documentsJson({{'a'}, {'b'}, {'c'}})}});
    EXPECT_EQ(reasonOf(r), "USER_CANCELLED");
    EXPECT_FALSE(r.contains("result"));
}

// A qualified-signature key (CKA_ALWAYS_AUTHENTICATE) wants the PIN before each signature: a batch
// asks it once for the list, then once per document, and each of those prompts names the one
// document it signs (its file and whole SHA-256), not the whole list again (issue 11 §4).
TEST_F(AgentBatchSigning, AKeyThatWantsThePinForEachSignatureNamesEachDocumentInItsOwnPrompt) {
    const auto qualified = provisionAlwaysAuthenticateCertificate(hsm, ca, "Calificada");
    startAgent();
    agent.script("pin 123456\npin 123456\npin 123456\npin 123456\n");
    const std::vector<std::vector<unsigned char>> docs{randomBytes(64), randomBytes(64),
                                                       randomBytes(64)};
    const auto r = client->call("documents.sign_batch", {{"certificate", qualified.uri},
                                                         {"documents", documentsJson(docs)}});
    ASSERT_TRUE(r.contains("result")) << r.dump();
    ASSERT_EQ(r["result"]["results"].size(), 3u);
    for (std::size_t i = 0; i < docs.size(); ++i) {
        const auto cms = *base64Decode(r["result"]["results"][i]["cms"].get<std::string>());
        EXPECT_EQ(opensslCmsVerify(ca, dir.path(), docs[i], cms).exitCode, 0) << i;
    }

    const auto shown = prompts();
    ASSERT_EQ(shown.size(), 4u) << "the list once, then each document";
    EXPECT_NE(shown[0]["description"].get<std::string>().find("Firmar 3 documentos"),
              std::string::npos);
    for (std::size_t i = 0; i < docs.size(); ++i) {
        const auto& prompt = shown[i + 1];
        EXPECT_EQ(prompt["command"], "GETPIN");
        const auto text = prompt["description"].get<std::string>();
        const auto n = std::to_string(i + 1);
        EXPECT_NE(text.find("Firmar el documento " + n + " de 3"), std::string::npos) << text;
        EXPECT_NE(text.find("Sign document " + n + " of 3"), std::string::npos) << text;
        EXPECT_NE(text.find("Archivo: documento-0" + n + ".bin"), std::string::npos) << text;
        EXPECT_NE(text.find(firmante::pkcs11::toHex(firmante::pkcs11::sha256(docs[i]))),
                  std::string::npos)
            << text;
        EXPECT_NE(text.find("Esta llave exige el PIN otra vez para cada firma"), std::string::npos)
            << text;
        // Not the list: no other document is named in this document's prompt.
        for (std::size_t j = 0; j < docs.size(); ++j) {
            if (j == i) continue;
            EXPECT_EQ(text.find("documento-0" + std::to_string(j + 1) + ".bin"), std::string::npos)
                << text;
        }
    }
}
