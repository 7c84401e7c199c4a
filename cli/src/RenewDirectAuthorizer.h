#pragma once

#include <optional>

#include "firmante/pkcs11/Secret.h"
#include "firmante/renewal/Authorizer.h"

namespace firmante::cli {

/// The renewal library's prompts on the direct path, over the CLI's own PIN sources (--pin-fd,
/// FIRMANTE_PINENTRY, the terminal). The library logs the token out after every operation, so the
/// PIN is asked once for the whole renewal and kept in a zeroizing buffer until the run ends; a
/// wrong PIN is never retried (the first C_Login that fails ends the run). Consent to delete the
/// old certificate is the person's `--retire-old` on the command line.
class RenewDirectAuthorizer : public renewal::Authorizer {
  public:
    RenewDirectAuthorizer(std::optional<int> pinFd, bool retireOldRequested)
        : pinFd_(pinFd), retireOld_(retireOldRequested) {}

    void unlock(pkcs11::Token& token, const renewal::OperationDescription& what) override;
    void confirm(const renewal::OperationDescription& what) override;

  private:
    std::optional<int> pinFd_;
    bool retireOld_;
    std::optional<pkcs11::Secret> pin_;
};

}  // namespace firmante::cli
