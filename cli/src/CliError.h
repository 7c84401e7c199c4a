#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "firmante/pkcs11/Error.h"

namespace firmante::cli {

/// Every failure the CLI reports: a stable reason word (DESIGN §2, plus `NOT_AVAILABLE`) and a
/// message for people. It never carries a PIN or password.
class CliError : public std::runtime_error {
  public:
    CliError(std::string reason, const std::string& message);
    /// The library's error with its reason word and tries hint.
    static CliError from(const pkcs11::Error& error);

    const std::string& reason() const noexcept { return reason_; }

    /// Tries hint for PIN_INCORRECT (tokens only say "count low" / "final try").
    std::optional<int> triesLeft;
    bool pinCountLow = false;
    bool pinFinalTry = false;

  private:
    std::string reason_;
};

}  // namespace firmante::cli
