#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace firmante::renewal {

/// Where a renewal stands, in the order the steps must happen. The journal stores the name.
enum class RenewalStep {
    Generating,            // key generation started (the label is journaled, the key id not yet)
    Begun,                 // new key and CSR made (manual step 4)
    AcceptanceSigned,      // acceptance letter signed with the current certificate (steps 5–6)
    PossessionProved,      // new key proved to the portal (step 9)
    CertificateInstalled,  // new certificate stored next to the new key (step 9)
    TermsSigned,           // terms letter signed with the new certificate (steps 10–11)
    Finished,              // done, old certificate kept or retired (step 12)
    Cancelled,             // renewal.cancel: the new key removed, nothing was installed
};

/// Journal name: "generating", "begun", "acceptanceSigned", …
std::string_view stepName(RenewalStep step) noexcept;
std::optional<RenewalStep> parseStep(std::string_view name) noexcept;
/// 0 for Generating … 6 for Finished, 7 for Cancelled.
int stepNumber(RenewalStep step) noexcept;
/// The step of the IMSS manual this state completes.
int manualStep(RenewalStep step) noexcept;
/// What the person sees: "Llave nueva generada", … (es-MX).
std::string_view stepDescription(RenewalStep step) noexcept;
/// The call the renewal expects next, for RENEWAL_STATE messages.
std::string_view expectedNext(RenewalStep step) noexcept;

}  // namespace firmante::renewal
