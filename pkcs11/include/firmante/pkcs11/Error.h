#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace firmante::pkcs11 {

/// Stable reason words of DESIGN §2 (plus the few this library adds). They travel unchanged to
/// the CLI's exit message and to `error.data.reason` on the wire.
enum class Reason {
    ParseError,
    InvalidRequest,
    MethodNotFound,
    InvalidParams,
    TooLarge,
    UserCancelled,
    PinIncorrect,
    PinLocked,
    TokenNotPresent,
    TokenRemoved,
    KeyNotFound,
    CertificateNotFound,
    CertificateMismatch,
    CertificateUntrusted,  // a certificate not from the expected issuer (issue 9 §8)
    OriginNotAllowed,
    LetterMismatch,
    RenewalState,
    Busy,
    Timeout,
    Internal,
    ModuleNotFound,            // no PKCS#11 module could be loaded
    PasswordIncorrect,         // a PKCS#12 file's password
    SignatureInvalid,          // a CMS or challenge signature that does not verify
    NotLoggedIn,               // an operation needing the PIN was attempted before login
    MechanismInvalid,          // the token cannot do this key type or signature
    KeyTypeUnsupported,        // the token does not offer this key type (refused before the PIN)
    KeyProvenanceUnconfirmed,  // the token does not vouch that a new key was born on it and never
                               // left it, and the config requires it (issue 11 §5)
    NativeUnavailable,         // the browser extension found no native host
    VersionMismatch,           // extension and agent speak different protocol versions
};

/// The upper-case word for a reason, e.g. "PIN_INCORRECT".
std::string_view reasonWord(Reason reason) noexcept;

/// The reason for a word; nullopt for an unknown word.
std::optional<Reason> reasonFromWord(std::string_view word) noexcept;

/// Whether a person can fix the cause and try again (wrong PIN, token removed, cancelled…), as
/// opposed to a fatal error. The UI offers a retry only for these.
bool isRetriable(Reason reason) noexcept;

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
