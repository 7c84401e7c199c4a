// How the PIN is obtained and what a wrong one does: asked once, never retried, never echoed.
#include <fcntl.h>
#include <unistd.h>

#include <fstream>

#include "CliTest.h"

namespace firmante::cli::test {
namespace {

class CliPin : public CliTest {
  protected:
    /// Runs firmante with --pin-fd on a regular file we keep open, and reports how many bytes of
    /// it the child consumed (the open file description, and so its offset, is shared).
    ProcessResult withPinFile(std::vector<std::string> args, const std::string& contents,
                              off_t& consumed, std::map<std::string, std::string> extraEnv = {}) {
        writeFile(path("pin-file"), contents);
        int fd = ::open(path("pin-file").c_str(), O_RDONLY);  // inherited: no O_CLOEXEC
        EXPECT_GE(fd, 0);
        std::vector<std::string> argv{FIRMANTE_CLI};
        argv.insert(argv.end(), args.begin(), args.end());
        argv.insert(argv.end(), {"--pin-fd", std::to_string(fd)});
        auto e = env();
        for (auto& [k, v] : extraEnv) e[k] = v;
        auto r = run(argv, {}, e);
        consumed = ::lseek(fd, 0, SEEK_CUR);
        ::close(fd);
        return r;
    }

    /// The environment for the fault-injecting module over this test's SoftHSM token.
    std::map<std::string, std::string> faultEnv(const std::string& faults) {
        writeFile(path("faults"), faults);
        return {{"FIRMANTE_MODULE", FIRMANTE_FAULT_MODULE},
                {"FIRMANTE_FAULTS", path("faults")},
                {"FIRMANTE_FAULTS_LOG", path("logins")}};
    }
    int loginCalls() {
        std::ifstream f(path("logins"));
        int n = 0;
        std::string line;
        while (std::getline(f, line)) n += line.starts_with("C_Login");
        return n;
    }
};

// Issue 11: a card whose only EC mechanism cannot serve us (simulated: SoftHSM without
// CKM_ECDSA) is not asked for an EC key at all, and the PIN is never read for it.
TEST_F(CliPin, KeygenOfATypeTheTokenDoesNotOfferIsRefusedBeforeThePinIsRead) {
    auto faults = faultEnv("hide-mechanism=0x1041");
    auto e = env();
    for (auto& [k, v] : faults) e[k] = v;
    auto tokens = run({FIRMANTE_CLI, "tokens", "--json"}, {}, e);
    ASSERT_EQ(tokens.exitCode, 0) << tokens.err;
    EXPECT_EQ(json(tokens).at("tokens").at(0).at("keyTypes"),
              nlohmann::json({"rsa-2048", "rsa-3072", "rsa-4096"}));

    off_t consumed = -1;
    auto r = withPinFile({"keygen", "--type", "ec-p256", "--label", "nunca", "--json"},
                         std::string(SoftHsmToken::kUserPin) + "\n", consumed, faults);
    EXPECT_NE(r.exitCode, 0);
    auto error = json(r).at("error");
    EXPECT_EQ(error.at("reason"), "KEY_TYPE_UNSUPPORTED");
    EXPECT_NE(r.err.find("rsa-2048"), std::string::npos) << r.err;
    EXPECT_EQ(consumed, 0) << "the PIN was read";
    EXPECT_EQ(loginCalls(), 0);
    // Nothing was left on the token.
    auto keys = withPin({"keys", "--json"});
    ASSERT_EQ(keys.exitCode, 0) << keys.err;
    EXPECT_EQ(keys.out.find("nunca"), std::string::npos) << keys.out;
}

TEST_F(CliPin, WrongPinFailsOnceWithTheTriesHintAndTheSecondLineIsNeverRead) {
    off_t consumed = -1;
    auto r = withPinFile({"keys", "--json"}, std::string("wrong\n") + SoftHsmToken::kUserPin + "\n",
                         consumed, faultEnv(""));
    EXPECT_EQ(r.exitCode, 2) << r.err;
    auto error = json(r).at("error");
    EXPECT_EQ(error.at("reason"), "PIN_INCORRECT");
    EXPECT_TRUE(error.contains("pinCountLow"));
    EXPECT_TRUE(error.contains("pinFinalTry"));
    EXPECT_TRUE(error.contains("triesLeft"));
    EXPECT_NE(r.err.find("firmante: PIN_INCORRECT: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("No se volvió a intentar"), std::string::npos) << r.err;
    // Exactly one line was read from the descriptor, and exactly one C_Login reached the token.
    EXPECT_EQ(consumed, 6);
    EXPECT_EQ(loginCalls(), 1);

    // The right PIN afterwards works: nothing was locked or left half-done.
    auto ok = withPin({"keys", "--json"});
    EXPECT_EQ(ok.exitCode, 0) << ok.err;
}

TEST_F(CliPin, WrongPinOnPlainSoftHsmStillFailsWhenTheNextLineHoldsTheRightPin) {
    off_t consumed = -1;
    auto r = withPinFile({"keygen", "--type", "ec-p256", "--label", "x"},
                         std::string("wrong\n") + SoftHsmToken::kUserPin + "\n", consumed);
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_NE(r.err.find("PIN_INCORRECT"), std::string::npos);
    EXPECT_EQ(consumed, 6);
    auto keys = withPin({"keys", "--json"});
    ASSERT_EQ(keys.exitCode, 0) << keys.err;
    EXPECT_TRUE(json(keys).at("keys").empty()) << "a key was generated after a wrong PIN";
}

TEST_F(CliPin, FinalTryFlagIsReportedAsTheLastTry) {
    auto r = withPin({"keys", "--json"}, "wrong", faultEnv("final-try"));
    EXPECT_EQ(r.exitCode, 2) << r.err;
    auto error = json(r).at("error");
    EXPECT_EQ(error.at("reason"), "PIN_INCORRECT");
    EXPECT_TRUE(error.at("pinFinalTry"));
    EXPECT_EQ(error.at("triesLeft"), 1);
    EXPECT_NE(r.err.find("Queda un solo intento"), std::string::npos) << r.err;
    EXPECT_EQ(loginCalls(), 1);
}

TEST_F(CliPin, CountLowFlagIsReportedInEnglishToo) {
    auto e = faultEnv("count-low");
    e["LANG"] = "en_US.UTF-8";
    auto r = withPin({"keys"}, "wrong", e);
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_NE(r.err.find("firmante: PIN_INCORRECT: incorrect PIN"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("Few tries are left"), std::string::npos) << r.err;
}

TEST_F(CliPin, LockedPinIsReportedWithoutReadingOrTryingAPin) {
    off_t consumed = -1;
    auto r = withPinFile({"keys", "--json"}, std::string(SoftHsmToken::kUserPin) + "\n", consumed,
                         faultEnv("locked"));
    EXPECT_EQ(r.exitCode, 3) << r.err;
    EXPECT_EQ(json(r).at("error").at("reason"), "PIN_LOCKED");
    EXPECT_EQ(consumed, 0);
    EXPECT_EQ(loginCalls(), 0);
}

TEST_F(CliPin, PinpadReaderAsksOnTheReaderAndNeedsNoPinSource) {
    auto r = plain({"keygen", "--type", "ec-p256", "--label", "pinpad", "--json"},
                   faultEnv(std::string("pinpad\npinpad-pin=") + SoftHsmToken::kUserPin + "\n"));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.err.find("Escriba su PIN en el lector"), std::string::npos) << r.err;
    EXPECT_TRUE(json(r).at("key").at("keyAttributes").at("local"));
}

TEST_F(CliPin, PinpadCancelIsUserCancelled) {
    auto r = plain({"keys", "--json"}, faultEnv("pinpad\n"));
    EXPECT_EQ(r.exitCode, 4) << r.err;
    EXPECT_EQ(json(r).at("error").at("reason"), "USER_CANCELLED");
}

TEST_F(CliPin, RemovedTokenIsTokenNotPresent) {
    auto e = faultEnv("removed");
    auto tokens = plain({"tokens", "--json"}, e);
    ASSERT_EQ(tokens.exitCode, 0) << tokens.err;
    EXPECT_TRUE(json(tokens).at("tokens").empty());
    auto r = withPin({"keys", "--json"}, SoftHsmToken::kUserPin, e);
    EXPECT_EQ(r.exitCode, 5) << r.err;
    EXPECT_EQ(json(r).at("error").at("reason"), "TOKEN_NOT_PRESENT");
}

TEST_F(CliPin, PinentryIsUsedWhenConfiguredAndItsCancelIsUserCancelled) {
    auto pinentry = std::string(FIRMANTE_CLI_TEST_DIR) + "/fake-pinentry";
    auto ok = plain({"keys", "--json"}, {{"FIRMANTE_PINENTRY", pinentry},
                                         {"FAKE_PINENTRY_LOG", path("ok.log")},
                                         {"FAKE_PINENTRY_PIN", SoftHsmToken::kUserPin}});
    EXPECT_EQ(ok.exitCode, 0) << ok.err;
    EXPECT_NE(readFile(path("ok.log")).find("Firmante Test"), std::string::npos);

    auto cancelled = plain({"keys", "--json"}, {{"FIRMANTE_PINENTRY", pinentry},
                                                {"FAKE_PINENTRY_LOG", path("cancel.log")},
                                                {"FAKE_PINENTRY_PIN", "CANCEL"}});
    EXPECT_EQ(cancelled.exitCode, 4) << cancelled.err;
    EXPECT_EQ(json(cancelled).at("error").at("reason"), "USER_CANCELLED");
}

TEST_F(CliPin, WithoutAnyPinSourceItFailsInsteadOfHanging) {
    // stdin is a closed pipe (not a terminal), no --pin-fd, no FIRMANTE_PINENTRY.
    auto r = plain({"keys"});
    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_NE(r.err.find("firmante: INVALID_PARAMS: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--pin-fd"), std::string::npos) << r.err;
}

TEST_F(CliPin, APinArgumentIsRefusedWithoutEchoingIt) {
    for (const char* flag : {"--pin", "--password", "--pin=987654"}) {
        SCOPED_TRACE(flag);
        std::vector<std::string> args{"keys", flag};
        if (std::string(flag).find('=') == std::string::npos) args.push_back("987654");
        auto r = plain(args);
        EXPECT_EQ(r.exitCode, 1);
        EXPECT_NE(r.err.find("INVALID_PARAMS"), std::string::npos) << r.err;
        EXPECT_EQ(r.err.find("987654"), std::string::npos) << r.err;
        EXPECT_EQ(r.out.find("987654"), std::string::npos);
    }
}

}  // namespace
}  // namespace firmante::cli::test
