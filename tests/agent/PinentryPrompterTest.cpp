// The pinentry (Assuan) client against the fake pinentry program.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "AgentProcess.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/prompt/AssuanEscape.h"
#include "firmante/prompt/PinentryPrompter.h"
#include "firmante/testing/Process.h"
#include "firmante/testing/TempDir.h"

using firmante::agent::testing::AgentProcess;
using firmante::pkcs11::Reason;
using firmante::prompt::PinentryPrompter;
using firmante::prompt::PromptText;

namespace {

class PinentryPrompterTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ::setenv("FAKE_PINENTRY_SCRIPT", (dir / "script").c_str(), 1);
        ::setenv("FAKE_PINENTRY_LOG", (dir / "log").c_str(), 1);
    }
    std::vector<nlohmann::json> shown() const {
        std::vector<nlohmann::json> out;
        std::ifstream in(dir / "log");
        for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
        return out;
    }
    firmante::testing::TempDir dir;
    PinentryPrompter prompter{AgentProcess::fakePinentry(), std::chrono::seconds(20)};
};

PromptText sample() {
    PromptText text;
    text.title = "Firmante — PIN";
    text.description = "Sitio: http://127.0.0.1:8080\nArchivo: 100% carta.pdf\r\nSHA-256: ab";
    text.error = "Atención: último intento";
    return text;
}

}  // namespace

TEST(Pinentry, EscapingRoundTripsPercentCrAndLf) {
    const std::string text = "a%b\nc\rd";
    EXPECT_EQ(firmante::prompt::assuanEscape(text), "a%25b%0Ac%0Dd");
    EXPECT_EQ(firmante::prompt::assuanDecode(firmante::prompt::assuanEscape(text)), text);
}

TEST_F(PinentryPrompterTest, GetPinReturnsTheTypedPinAndShowsTheWholeDescription) {
    firmante::testing::writeFile((dir / "script").string(), "pin 12%34 56\n");
    auto pin = prompter.askPin(sample());
    EXPECT_EQ(std::string(pin.data(), pin.size()), "12%34 56");
    const auto log = shown();
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0]["command"], "GETPIN");
    EXPECT_EQ(log[0]["title"], "Firmante — PIN");
    EXPECT_EQ(log[0]["description"], sample().description);  // newlines and % intact
    EXPECT_EQ(log[0]["error"], "Atención: último intento");
    EXPECT_EQ(log[0]["prompt"], "PIN:");
}

TEST_F(PinentryPrompterTest, CancelBecomesUserCancelled) {
    firmante::testing::writeFile((dir / "script").string(), "cancel\n");
    try {
        prompter.askPin(sample());
        FAIL() << "no exception";
    } catch (const firmante::pkcs11::Error& e) {
        EXPECT_EQ(e.reason(), Reason::UserCancelled);
    }
}

TEST_F(PinentryPrompterTest, ConfirmReportsYesAndNo) {
    firmante::testing::writeFile((dir / "script").string(), "confirm yes\nconfirm no\n");
    EXPECT_TRUE(prompter.confirm(sample()));
    EXPECT_FALSE(prompter.confirm(sample()));
    const auto log = shown();
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[1]["command"], "CONFIRM");
}

TEST(Pinentry, MissingProgramIsAClearError) {
    PinentryPrompter prompter("firmante-no-such-pinentry", std::chrono::seconds(5));
    try {
        prompter.askPin(sample());
        FAIL() << "no exception";
    } catch (const firmante::pkcs11::Error& e) {
        EXPECT_EQ(e.reason(), Reason::Internal);
        EXPECT_NE(std::string(e.what()).find("firmante-no-such-pinentry"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("FIRMANTE_PINENTRY"), std::string::npos);
    }
}

TEST(Pinentry, ProgramComesFromFirmantePinentry) {
    ::setenv("FIRMANTE_PINENTRY", "/opt/x/pinentry-qt", 1);
    EXPECT_EQ(PinentryPrompter::programFromEnvironment(), "/opt/x/pinentry-qt");
    ::unsetenv("FIRMANTE_PINENTRY");
    EXPECT_EQ(PinentryPrompter::programFromEnvironment(), "pinentry");
}
