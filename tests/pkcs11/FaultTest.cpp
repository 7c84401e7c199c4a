// Behaviour SoftHSM cannot show by itself (a PIN-pad reader, the PIN-count flags, a token pulled
// out), through the fault-injecting module in tests/fault-module that wraps SoftHSM.
#include <gtest/gtest.h>

#include <fstream>
#include <optional>

#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Module.h"
#include "firmante/pkcs11/Token.h"
#include "firmante/testing/Process.h"
#include "firmante/testing/SoftHsmToken.h"

using namespace firmante::pkcs11;
using firmante::testing::readFile;
using firmante::testing::SoftHsmToken;
using firmante::testing::writeFile;

class FaultTest : public ::testing::Test {
  protected:
    void SetUp() override {
        softhsm_.emplace("Faulty");
        faults_ = (softhsm_->dir() / "faults").string();
        log_ = (softhsm_->dir() / "logins").string();
        writeFile(faults_, "");
        ::setenv("FIRMANTE_FAULTS", faults_.c_str(), 1);
        ::setenv("FIRMANTE_FAULTS_LOG", log_.c_str(), 1);
        module_ = Module::load(FIRMANTE_FAULT_MODULE);
        token_.emplace(Token::open(module_, "Faulty"));
    }
    void TearDown() override {
        token_.reset();
        module_.reset();
        ::unsetenv("FIRMANTE_FAULTS");
        ::unsetenv("FIRMANTE_FAULTS_LOG");
    }
    void setFaults(const std::string& words) { writeFile(faults_, words); }
    int loginCalls() {
        std::ifstream f(log_);
        int n = 0;
        std::string line;
        while (std::getline(f, line)) n += line.starts_with("C_Login");
        return n;
    }
    Error loginError(const char* pin) {
        try {
            token_->login(Secret(pin));
        } catch (const Error& e) {
            return e;
        }
        ADD_FAILURE() << "login succeeded";
        return Error(Reason::Internal, "none");
    }

    std::optional<SoftHsmToken> softhsm_;
    std::string faults_, log_;
    std::shared_ptr<Module> module_;
    std::optional<Token> token_;
};

TEST_F(FaultTest, WrongPinIsTriedExactlyOnce) {
    Error e = loginError("999999");
    EXPECT_EQ(e.reason(), Reason::PinIncorrect);
    EXPECT_EQ(loginCalls(), 1);
    EXPECT_FALSE(token_->loggedIn());
}

TEST_F(FaultTest, WrongPinOnTheFinalTryCarriesTheHint) {
    setFaults("count-low final-try");
    EXPECT_TRUE(token_->info().pinFinalTry);
    Error e = loginError("999999");
    EXPECT_EQ(e.reason(), Reason::PinIncorrect);
    EXPECT_EQ(e.triesLeft(), 1);
    EXPECT_TRUE(e.pinCountLow());
    EXPECT_EQ(loginCalls(), 1);
}

TEST_F(FaultTest, LockedPinIsPinLockedWithNoTriesLeft) {
    setFaults("locked");
    EXPECT_TRUE(token_->info().pinLocked);
    Error e = loginError(SoftHsmToken::kUserPin);
    EXPECT_EQ(e.reason(), Reason::PinLocked);
    EXPECT_EQ(e.triesLeft(), 0);
}

TEST_F(FaultTest, PinpadTokenLogsInWithThePinTypedOnTheReader) {
    setFaults(std::string("pinpad pinpad-pin=") + SoftHsmToken::kUserPin);
    EXPECT_TRUE(token_->info().pinpad);
    token_->loginProtectedPath();
    EXPECT_TRUE(token_->loggedIn());
    EXPECT_NO_THROW(token_->generateKeyPair(KeyType::EcP256, "pinpad"));
}

TEST_F(FaultTest, CancelOnThePinpadIsUserCancelled) {
    setFaults("pinpad");
    try {
        token_->loginProtectedPath();
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.reason(), Reason::UserCancelled);
    }
}

TEST_F(FaultTest, RemovedTokenDisappearsAndItsSessionFailsAsTokenRemoved) {
    token_->login(Secret(SoftHsmToken::kUserPin));
    auto key = token_->generateKeyPair(KeyType::EcP256, "k");
    setFaults("removed");
    EXPECT_TRUE(module_->tokens().empty());
    try {
        token_->keys();
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.reason(), Reason::TokenRemoved);
    }
    try {
        Token::open(module_, "Faulty");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.reason(), Reason::TokenNotPresent);
    }
    // Put back: the key is still there (nothing was lost).
    setFaults("");
    Token again = Token::open(module_, "Faulty");
    again.login(Secret(SoftHsmToken::kUserPin));
    EXPECT_EQ(again.key(key.uri).id, key.id);
}
