#pragma once

#include "firmante/portal/Codec.h"
#include "firmante/portal/EmployerRecord.h"
#include "firmante/portal/OpenSslHandles.h"

#include <chrono>
#include <string>

namespace firmante::portal {

/// One visitor's way through the manual's twelve steps. `completedStep` only
/// moves forward by one; every endpoint names the step it performs and the
/// portal refuses it unless it is the next one (STEP_ORDER).
struct RenewalSession {
    enum class Mode { Pending, LoggedIn, Renewal, Renewed };

    std::string token;
    Mode mode = Mode::Pending;
    int completedStep = 0;
    std::chrono::system_clock::time_point lastSeen;

    Bytes loginNonce;  ///< empty once used (one login attempt per nonce)
    std::string user;
    X509Ptr oldCertificate;  ///< the certificate the person logged in with
    EmployerRecord employer = EmployerRecord::demo();

    Bytes newSpki;  ///< step 4, DER SubjectPublicKeyInfo
    X509ReqPtr csr;
    std::string folio;
    Bytes acceptanceLetter;  ///< step 5, the exact bytes issued

    std::string linkToken;  ///< step 7, the one-time link
    std::chrono::system_clock::time_point linkExpires;
    bool linkUsed = false;
    Bytes possessionNonce;  ///< step 8

    X509Ptr newCertificate;  ///< step 9
    Bytes termsLetter;       ///< step 10
};

}  // namespace firmante::portal
