#pragma once

#include "firmante/portal/CertificateAuthority.h"
#include "firmante/portal/Codec.h"

#include <nlohmann/json.hpp>

#include <string>

namespace firmante::portal {

/// What a successful letter verification found out.
struct LetterVerification {
    std::string signerSubject;
    std::string signerSerial;
    std::string digestAlgorithm;
    bool signedAttributes = false;
    bool signingCertificateV2 = false;  ///< CAdES-BES attribute present (reported, not demanded)
    std::string signingTime;            ///< ISO-8601, "" when absent

    nlohmann::json toJson() const;
};

/// Verifies an uploaded CMS signature over a letter the portal issued.
class LetterVerifier {
  public:
    enum class Stage { Acceptance, Terms };

    /// Checks that `cmsDer` is a detached SignedData with one signer whose certificate
    /// (carried in the CMS) is exactly `expectedSigner`, that its messageDigest covers
    /// exactly `letter`, and that CMS_verify succeeds with the portal CA as the only trust
    /// anchor. For the acceptance letter the signer is expired by design, so validity
    /// periods are ignored (`X509_V_FLAG_NO_CHECK_TIME`); the terms letter is verified now.
    /// Throws PortalError: CMS_INVALID, CERTIFICATE_MISMATCH, LETTER_MISMATCH, SIGNATURE_INVALID.
    static LetterVerification verify(const Bytes& cmsDer, const Bytes& letter, X509* expectedSigner,
                                     const CertificateAuthority& ca, Stage stage);
};

}  // namespace firmante::portal
