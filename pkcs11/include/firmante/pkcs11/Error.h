#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "firmante/protocol/Reasons.h"

namespace firmante::pkcs11 {

/// The reason of an error: one enum for every binary, generated from protocol/reasons.json
/// (issue 10). This library raises only the Cryptoki- and file-level ones (PIN_INCORRECT,
/// TOKEN_REMOVED, MECHANISM_INVALID, …); the word, wire code and texts of each live in the table.
using Reason = protocol::Reason;

/// The upper-case word for a reason, e.g. "PIN_INCORRECT".
inline std::string_view reasonWord(Reason reason) noexcept {
    return protocol::reasonWord(reason);
}

/// Whether a person can fix the cause and try again (wrong PIN, token removed, cancelled…), as
/// opposed to a fatal error. The UI offers a retry only for these.
inline bool isRetriable(Reason reason) noexcept {
    return protocol::reasonInfo(reason).retriable;
}

/// Every error this library throws. Never carries a PIN or a private value.
class Error : public std::runtime_error {
  public:
    Error(Reason reason, const std::string& message, std::string function = {},
          unsigned long rv = 0);

    Reason reason() const noexcept { return reason_; }
    std::string_view reasonWord() const noexcept { return pkcs11::reasonWord(reason_); }
    /// The Cryptoki or OpenSSL function that failed, when there was one.
    const std::string& function() const noexcept { return function_; }
    /// The CK_RV returned by `function()`, 0 when not a Cryptoki error.
    unsigned long rv() const noexcept { return rv_; }
    /// A hint from the token's flags: 1 when CKF_USER_PIN_FINAL_TRY is set, nullopt when unknown.
    /// Tokens report "count low" and "final try", not an exact number, so this is a lower bound.
    std::optional<int> triesLeft() const noexcept { return triesLeft_; }
    bool pinCountLow() const noexcept { return pinCountLow_; }
    void setTries(std::optional<int> triesLeft, bool countLow) noexcept {
        triesLeft_ = triesLeft;
        pinCountLow_ = countLow;
    }

  private:
    Reason reason_;
    std::string function_;
    unsigned long rv_;
    std::optional<int> triesLeft_;
    bool pinCountLow_ = false;
};

/// Throws Error(reason) whose message is `context` followed by OpenSSL's drained error queue.
[[noreturn]] void throwOpenSsl(Reason reason, const std::string& context);

}  // namespace firmante::pkcs11
