// Issue 11 §8: a module from p11-kit's registry that cannot start is passed over, with its reason
// kept for one log line, and nothing it prints reaches the terminal.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Module.h"
#include "firmante/pkcs11/ModuleLocator.h"
#include "firmante/testing/Process.h"
#include "firmante/testing/SoftHsmToken.h"
#include "firmante/testing/TempDir.h"

using namespace firmante::pkcs11;
using firmante::testing::SoftHsmToken;
using firmante::testing::TempDir;

namespace {

class ModuleDiscoveryTest : public ::testing::Test {
  protected:
    SoftHsmToken softhsm_{"Descubierto"};
    TempDir dir_{"firmante-discovery"};
};

TEST_F(ModuleDiscoveryTest, AModuleThatCannotLoadIsSkippedAndTheNextOneUsed) {
    const auto notAModule = (dir_ / "no-es-modulo.so").string();
    firmante::testing::writeFile(notAModule, "esto no es una biblioteca\n");
    auto loaded = loadFirstModule({notAModule, SoftHsmToken::modulePath()}, "p11-kit");
    EXPECT_EQ(loaded.location.path, SoftHsmToken::modulePath());
    EXPECT_EQ(loaded.location.source, "p11-kit");
    ASSERT_EQ(loaded.skipped.size(), 1u);
    EXPECT_EQ(loaded.skipped[0].rfind(notAModule + ": ", 0), 0u) << loaded.skipped[0];
    ASSERT_EQ(loaded.module->tokens().size(), 1u);
    EXPECT_EQ(loaded.module->tokens()[0].label, "Descubierto");
}

TEST_F(ModuleDiscoveryTest, WhenNoneStartsTheErrorNamesEachOneAndWhy) {
    const auto notAModule = (dir_ / "no-es-modulo.so").string();
    firmante::testing::writeFile(notAModule, "esto no es una biblioteca\n");
    try {
        loadFirstModule({notAModule}, "p11-kit");
        FAIL() << "loaded a file that is not a module";
    } catch (const Error& e) {
        EXPECT_EQ(e.reason(), Reason::ModuleNotFound);
        EXPECT_NE(std::string(e.what()).find(notAModule), std::string::npos) << e.what();
    }
}

// The module Debian registers with p11-kit for every program: with no TPM reachable it prints a
// dozen lines in C_Initialize and fails. Here it is pointed at a loopback port nobody listens on.
TEST_F(ModuleDiscoveryTest, Tpm2Pkcs11WithNoTpmIsSkippedWithoutAWordOnTheTerminal) {
    std::string tpm2;  // as p11-kit's registry names it
    for (const auto& path : p11KitModulePaths())
        if (path.find("tpm2") != std::string::npos) tpm2 = path;
    if (tpm2.empty()) GTEST_SKIP() << "no tpm2-pkcs11 registered with p11-kit (libtpm2-pkcs11-1)";
    std::filesystem::create_directories(dir_ / "store");
    ::setenv("TPM2_PKCS11_STORE", (dir_ / "store").c_str(), 1);
    ::setenv("TPM2_PKCS11_TCTI", "swtpm:host=127.0.0.1,port=9", 1);  // discard: nothing listens
    ::testing::internal::CaptureStderr();
    auto loaded = loadFirstModule({tpm2, SoftHsmToken::modulePath()}, "p11-kit");
    const auto terminal = ::testing::internal::GetCapturedStderr();
    ::unsetenv("TPM2_PKCS11_TCTI");
    ::unsetenv("TPM2_PKCS11_STORE");
    EXPECT_EQ(loaded.location.path, SoftHsmToken::modulePath());
    ASSERT_EQ(loaded.skipped.size(), 1u);
    std::cout << "[ skipped  ] " << loaded.skipped[0] << "\n";
    // The reason carries the module's own last words, not only CKR_GENERAL_ERROR.
    EXPECT_NE(loaded.skipped[0].find("tpm"), std::string::npos) << loaded.skipped[0];
    EXPECT_EQ(terminal, "");
}

}  // namespace

TEST(ModuleLocator, FirmanteModuleWinsAndAMissingOneIsNamed) {
    ::setenv("FIRMANTE_MODULE", SoftHsmToken::modulePath().c_str(), 1);
    EXPECT_EQ(locateModule().path, SoftHsmToken::modulePath());
    EXPECT_EQ(locateModule().source, "FIRMANTE_MODULE");
    ::setenv("FIRMANTE_MODULE", "/nonexistent/module.so", 1);
    try {
        locateModule();
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.reason(), Reason::ModuleNotFound);
        EXPECT_NE(std::string(e.what()).find("/nonexistent/module.so"), std::string::npos);
    }
    ::unsetenv("FIRMANTE_MODULE");
    EXPECT_EQ(locateModule(SoftHsmToken::modulePath()).source, "config");
}

TEST(ModuleLocator, FallsBackToP11KitRegisteredModulesAndNamesWhatWasTried) {
    ::unsetenv("FIRMANTE_MODULE");
    auto registered = p11KitModulePaths();
    if (registered.empty()) {
        try {
            locateModule();
            FAIL();
        } catch (const Error& e) {
            EXPECT_EQ(e.reason(), Reason::ModuleNotFound);
            EXPECT_NE(std::string(e.what()).find("p11-kit"), std::string::npos);
            EXPECT_NE(std::string(e.what()).find("FIRMANTE_MODULE"), std::string::npos);
        }
    } else {
        auto loc = locateModule();
        EXPECT_EQ(loc.source, "p11-kit");
        EXPECT_EQ(loc.path, registered.front());
    }
}

TEST(Module, LoadingSomethingThatIsNotAModuleIsModuleNotFound) {
    try {
        Module::load("/etc/hostname");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.reason(), Reason::ModuleNotFound);
    }
}
