#pragma once

// What every renewal step repeats before and around its own work (issue 10 §3). Internal to
// agent/renewal.

#include <initializer_list>
#include <string>
#include <string_view>

#include "RenewalRecord.h"
#include "RenewalSupport.h"
#include "firmante/pkcs11/Token.h"
#include "firmante/pkcs11/Types.h"
#include "firmante/renewal/Authorizer.h"

namespace firmante::renewal {

/// One call on one renewal: its record (a working copy the step changes and
/// RenewalManager::store makes the journal's), the token it runs on, the origin that called, and
/// the prompts, always through the Authorizer. RenewalManager::step builds it after the checks
/// every step makes (a valid origin, a known and sound journal, the origin that began the
/// renewal, an allowed step); the step adds requireSameToken where it needs the token.
class StepContext {
  public:
    StepContext(pkcs11::Token& token, Authorizer& authorizer, std::string origin,
                RenewalRecord record);

    RenewalRecord record;

    const std::string& origin() const noexcept { return origin_; }
    const std::string& renewalId() const noexcept { return record.renewalId; }
    pkcs11::Token& token() const noexcept { return token_; }

    /// OriginNotAllowed unless the renewal was begun by this origin.
    void requireOrigin() const;
    /// RenewalState naming `action` and the call expected unless the record is in one of
    /// `allowed`.
    void requireStep(std::initializer_list<RenewalStep> allowed, std::string_view action) const;
    /// TokenNotPresent unless the token is the one the renewal lives on.
    void requireSameToken() const;

    /// What a prompt of this step shows: the origin, the operation, this renewal's token,
    /// `keyLabel` and the button (`action`).
    OperationDescription describe(std::string operation, std::string operationEn,
                                  std::string keyLabel, Action action) const;
    /// Asks for the PIN showing `what` (as a step of this renewal) and logs in; the returned
    /// guard hands the login back to the Authorizer when it goes (logged out, unless its policy
    /// keeps it for this renewal). Throws what Authorizer::unlock throws; nothing to release then.
    [[nodiscard]] ReleaseGuard unlock(OperationDescription what);
    /// A step that deletes: the person confirms `what` (the safe button is the default), then
    /// the token is unlocked for `operation`/`operationEn`: a login kept for this renewal serves
    /// without a PIN, one kept for another site's renewal must not delete anything. Throws
    /// USER_CANCELLED when the person declines (nothing is deleted).
    [[nodiscard]] ReleaseGuard confirmAndUnlock(const OperationDescription& what,
                                                std::string operation, std::string operationEn);
    /// The renewal is over (finished or cancelled): nothing stays unlocked for it. Never throws.
    void ended() noexcept;

    /// The key or certificate the journal names; KeyNotFound / CertificateNotFound in words,
    /// `what` being "La llave nueva de esta renovación", "El certificado actual", …
    pkcs11::KeyInfo findKey(const std::string& uri, const std::string& what) const;
    pkcs11::CertificateInfo findCertificate(const std::string& uri, const std::string& what) const;

  private:
    pkcs11::Token& token_;
    Authorizer& authorizer_;
    std::string origin_;
};

}  // namespace firmante::renewal
