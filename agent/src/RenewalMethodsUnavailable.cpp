#include "firmante/agent/RenewalMethods.h"

namespace firmante::agent {

// Built when agent/renewal is not in the tree: the renewal.* methods answer INTERNAL.
std::unique_ptr<RenewalMethods> RenewalMethods::create(TokenDirectory&, renewal::Authorizer&,
                                                       std::filesystem::path, Limits) {
    return nullptr;
}

}  // namespace firmante::agent
