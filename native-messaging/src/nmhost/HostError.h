#pragma once

#include <stdexcept>
#include <string>

namespace firmante::nmhost {

/// A failure that ends the relay and is reported to the browser as a JSON-RPC error with
/// `id: null` and `error.data.reason` = `reason` (a DESIGN §2 word such as NATIVE_UNAVAILABLE).
/// `what()` is the human message (Spanish first, then English), never a secret.
class HostError : public std::runtime_error {
  public:
    HostError(std::string reason, const std::string& message)
        : std::runtime_error(message), reason_(std::move(reason)) {}
    const std::string& reason() const noexcept { return reason_; }

  private:
    std::string reason_;
};

}  // namespace firmante::nmhost
