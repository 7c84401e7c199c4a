#pragma once

#include "firmante/agent/Limits.h"
#include "firmante/agent/MethodTable.h"
#include "firmante/renewal/Authorizer.h"

namespace firmante::agent {

class TokenDirectory;

// The method groups of the agent (issue 10 §2); each registers its handlers into the table.
// agent.info stays with the Dispatcher, which owns what it reports. Renewal methods register
// through RenewalMethods::addTo.

/// tokens.list, certificates.list (ReadMethods.cpp).
void addReadMethods(MethodTable& table, TokenDirectory& tokens);

/// auth.sign_challenge, documents.sign (SigningMethods.cpp).
void addSigningMethods(MethodTable& table, TokenDirectory& tokens, renewal::Authorizer& authorizer,
                       const Limits& limits);

/// documents.sign_batch (BatchSigning.cpp).
void addBatchSigning(MethodTable& table, TokenDirectory& tokens, renewal::Authorizer& authorizer,
                     const Limits& limits);

}  // namespace firmante::agent
