#include "RecordingAuthorizer.h"

#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Secret.h"
#include "firmante/testing/SoftHsmToken.h"

namespace firmante::renewal::testing {

void RecordingAuthorizer::unlock(pkcs11::Token& token, const OperationDescription& what) {
    unlocks.push_back(what);
    token.login(pkcs11::Secret(firmante::testing::SoftHsmToken::kUserPin));
}

void RecordingAuthorizer::confirm(const OperationDescription& what) {
    confirms.push_back(what);
    if (!confirmAnswer)
        throw pkcs11::Error(pkcs11::Reason::UserCancelled, "La persona no confirmó.");
}

}  // namespace firmante::renewal::testing
