// Cryptoki failures as the library reports them: the function, the CKR_ name and the reason.
#include <gtest/gtest.h>

#include <string>

#include "firmante/pkcs11/Call.h"
#include "firmante/pkcs11/Error.h"

using namespace firmante::pkcs11;

TEST(Errors, EveryCryptokiFailureNamesTheFunctionAndMapsToAReason) {
    try {
        check(CKR_PIN_LOCKED, "C_Login");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.reason(), Reason::PinLocked);
        EXPECT_EQ(e.reasonWord(), "PIN_LOCKED");
        EXPECT_NE(std::string(e.what()).find("C_Login"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("CKR_PIN_LOCKED"), std::string::npos);
    }
    EXPECT_EQ(rvName(0x12345678), "CKR_0x12345678");
    EXPECT_EQ(firmante::protocol::findReason("TOKEN_REMOVED")->reason, Reason::TokenRemoved);
    EXPECT_TRUE(isRetriable(Reason::PinIncorrect));
    EXPECT_FALSE(isRetriable(Reason::CertificateMismatch));
}
