#pragma once

#include <exception>
#include <utility>

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

    /// The CLI's own error (a PIN that could not be read, a locked PIN) that ended the last
    /// operation, if any. The handlers run on a token worker, which passes on only the reason
    /// and text of a pkcs11::Error; the caller rethrows this one so the person reads the CLI's
    /// sentence unchanged. Cleared by the call.
    std::exception_ptr takeOwnError() noexcept { return std::exchange(ownError_, nullptr); }

  private:
    /// Runs `prompt`; a CliError it throws is kept (takeOwnError) and passed on as
    /// pkcs11::Error with the same reason word.
    template <class Fn>
    auto keepingOwnError(Fn&& prompt) -> decltype(prompt());

    std::exception_ptr ownError_;
    std::optional<int> pinFd_;
    bool retireOld_;
    std::optional<pkcs11::Secret> pin_;
};

}  // namespace firmante::cli
