#pragma once

#include <vector>

#include "firmante/renewal/Authorizer.h"

namespace firmante::renewal::testing {

/// The agent's prompts, played by a test: logs in with the SoftHSM test PIN, answers confirm()
/// as told, and records every description it was shown.
class RecordingAuthorizer : public Authorizer {
  public:
    void unlock(pkcs11::Token& token, const OperationDescription& what) override;
    void confirm(const OperationDescription& what) override;

    /// Every prompt (unlock and confirm) in order.
    std::size_t calls() const noexcept { return unlocks.size() + confirms.size(); }
    void clear() {
        unlocks.clear();
        confirms.clear();
    }

    bool confirmAnswer = true;
    std::vector<OperationDescription> unlocks;
    std::vector<OperationDescription> confirms;
};

}  // namespace firmante::renewal::testing
