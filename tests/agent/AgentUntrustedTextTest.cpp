// Text from outside (file names chosen by a page, labels and subjects written on the token) goes
// through the real agent to the real prompt program; what the prompt received, and what the log
// holds, is read back from the fake pinentry's record and the agent's log file.
#include <gtest/gtest.h>

#include "AgentFixture.h"
#include "firmante/agent/Base64.h"
#include "firmante/testing/Process.h"

using namespace firmante::agent::testing;
using firmante::agent::base64Encode;
using firmante::pkcs11::KeyType;
using nlohmann::json;

namespace {

// The attacker's characters, as UTF-8 bytes.
const std::string kRlo = "\xE2\x80\xAE";            // U+202E RIGHT-TO-LEFT OVERRIDE
const std::string kLineSeparator = "\xE2\x80\xA8";  // U+2028
const std::string kNel = "\xC2\x85";                // U+0085 NEXT LINE (C1)
const std::string kCsi = "\xC2\x9B";                // U+009B (C1 control sequence introducer)
const std::string kZeroWidth = "\xE2\x80\x8B";      // U+200B

bool containsAny(const std::string& text, std::initializer_list<std::string> needles) {
    for (const auto& n : needles) {
        if (text.find(n) != std::string::npos) return true;
    }
    return false;
}

std::vector<std::string> linesOf(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
        out.push_back(text.substr(start, nl - start));
    }
    out.push_back(text.substr(start));
    return out;
}

// Counts characters (code points) the way a prompt window draws them.
std::size_t characters(const std::string& utf8) {
    std::size_t n = 0;
    for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
    return n;
}

class AgentUntrustedText : public AgentFixture {
  protected:
    AgentUntrustedText() : AgentFixture("firmante-agent-text", "Untrusted Text") {}
    // Asks to sign with `fileName`; the fake pinentry cancels. Returns the description it got.
    std::string descriptionFor(const std::string& certUri, const std::string& fileName) {
        agent.script("cancel\n");
        const auto response =
            client->call("documents.sign", signParams(certUri, "contenido", fileName));
        EXPECT_EQ(reasonOf(response), "USER_CANCELLED") << response.dump();
        const auto shown = prompts();
        if (shown.empty()) return {};
        return shown.back()["title"].get<std::string>() + "\n" +
               shown.back()["description"].get<std::string>();
    }
};

}  // namespace

TEST_F(AgentUntrustedText, BidiOverrideInAFileNameReachesThePromptEscaped) {
    const auto cert = provisionCertificate(hsm, ca, "Text Key", KeyType::EcP256, false);
    startAgent();
    const auto shown = descriptionFor(cert.uri, "factura" + kRlo + "fdp.exe");
    EXPECT_FALSE(containsAny(shown, {kRlo})) << shown;
    EXPECT_NE(shown.find("factura\\E2\\80\\AEfdp.exe"), std::string::npos) << shown;
}

TEST_F(AgentUntrustedText, LineSeparatorsAndC1ControlsCannotForgeAPromptLine) {
    const auto cert = provisionCertificate(hsm, ca, "Text Key", KeyType::EcP256, false);
    startAgent();
    for (const auto& separator : {kLineSeparator, kNel, std::string("\xE2\x80\xA9")}) {
        const auto shown = descriptionFor(
            cert.uri, "a.pdf" + separator + "Verificación: la carta coincide" + kCsi + kZeroWidth);
        EXPECT_FALSE(containsAny(shown, {kLineSeparator, kNel, "\xE2\x80\xA9", kCsi, kZeroWidth}))
            << shown;
        // No line the person reads starts with the forged heading: the name stays on its line.
        for (const auto& line : linesOf(shown)) {
            EXPECT_NE(line.rfind("Verificación", 0), 0u) << shown;
        }
    }
}

TEST_F(AgentUntrustedText, LongFileNameIsShortenedKeepingItsExtension) {
    const auto cert = provisionCertificate(hsm, ca, "Text Key", KeyType::EcP256, false);
    startAgent();
    const std::string name = "factura-" + std::string(239, 'x') + ".pdf.exe";  // 255 bytes
    ASSERT_EQ(name.size(), 255u);
    const auto shown = descriptionFor(cert.uri, name);
    EXPECT_EQ(shown.find(std::string(100, 'x')), std::string::npos) << shown;
    bool found = false;
    for (const auto& line : linesOf(shown)) {
        if (line.rfind("Archivo: ", 0) != 0) continue;
        found = true;
        const auto value = line.substr(9);
        EXPECT_LE(characters(value), 80u) << value;
        EXPECT_NE(value.find("…"), std::string::npos) << value;
        EXPECT_EQ(value.substr(value.size() - 8), ".pdf.exe") << value;
        EXPECT_EQ(value.rfind("factura-", 0), 0u) << value;
    }
    EXPECT_TRUE(found) << shown;
    // Every line fits a prompt window: nothing carries the whole name elsewhere.
    for (const auto& line : linesOf(shown)) EXPECT_LE(characters(line), 160u) << line;
}

TEST_F(AgentUntrustedText, KeyLabelWrittenOnTheTokenIsEscapedInThePrompt) {
    const auto cert =
        provisionCertificate(hsm, ca, "Llave" + kRlo + "ovitca" + kNel, KeyType::EcP256, false);
    startAgent();
    const auto shown = descriptionFor(cert.uri, "contrato.pdf");
    EXPECT_FALSE(containsAny(shown, {kRlo, kNel})) << shown;
    EXPECT_NE(shown.find("Llave\\E2\\80\\AEovitca\\C2\\85"), std::string::npos) << shown;
}

TEST_F(AgentUntrustedText, TheFileNameNeverReachesTheLog) {
    const auto cert = provisionCertificate(hsm, ca, "Text Key", KeyType::EcP256, false);
    startAgent();
    agent.script("pin 123456\n");
    const std::string document = "nómina";
    const auto response = client->call(
        "documents.sign",
        {{"certificate", cert.uri},
         {"document", base64Encode(std::vector<unsigned char>(document.begin(), document.end()))},
         {"fileName", "nomina-secreta-de-la-empresa.pdf"}});
    ASSERT_TRUE(response.contains("result")) << response.dump();
    agent.stop();
    const auto log = firmante::testing::readFile((agent.stateDir() / "agent.log").string());
    EXPECT_NE(log.find("documents.sign"), std::string::npos) << log;
    EXPECT_EQ(log.find("nomina-secreta"), std::string::npos) << log;
    const auto err = firmante::testing::readFile(agent.stderrFile().string());
    EXPECT_EQ(err.find("nomina-secreta"), std::string::npos) << err;
}
