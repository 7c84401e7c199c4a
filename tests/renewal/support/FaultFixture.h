#pragma once

#include <string>
#include <vector>

#include "RenewalFixture.h"

namespace firmante::renewal::testing {

/// One object as `pkcs11-tool --list-objects` shows it.
struct ToolObject {
    std::string kind;  // "Private Key", "Public Key", "Certificate"
    std::string id;    // lower-case hex, as pkcs11-tool prints it
    std::string label;
};

/// A renewal world whose token is reached through the fault-injecting module
/// (tests/fault-module), so a test can fail one Cryptoki call; and an independent observer,
/// `pkcs11-tool` on SoftHSM itself, to see what really is on the token.
class FaultFixture : public RenewalFixture {
  protected:
    void SetUp() override;
    void TearDown() override;
    std::string modulePath() const override { return FIRMANTE_FAULT_MODULE; }

    /// Replaces the fault file's words (see FaultModule.cpp); the call count starts again.
    void faults(const std::string& words);
    /// The fault module's log: "fault #N C_Name", "call #N C_Name", "C_Login rv=…".
    std::string faultLog() const;
    void clearFaultLog();

    /// Every object on the token, listed by pkcs11-tool (logged in) through SoftHSM directly.
    std::vector<ToolObject> toolObjects() const;
    std::size_t toolCount(const std::string& kind) const;
    /// Whether pkcs11-tool sees an object of `kind` with this CKA_ID (lower-case hex).
    bool toolHas(const std::string& kind, const std::string& idHex) const;
};

}  // namespace firmante::renewal::testing
