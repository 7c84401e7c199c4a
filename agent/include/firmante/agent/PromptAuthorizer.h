#pragma once

#include "firmante/prompt/PromptText.h"
#include "firmante/prompt/Prompter.h"
#include "firmante/renewal/Authorizer.h"

namespace firmante::agent {

/// The agent's Authorizer: shows who asks, what for, the document (name and SHA-256), the token
/// and key, the letter check and a remaining-tries warning, then logs in once — with the typed
/// PIN, or on the reader's pinpad after a notice. Never retries a wrong PIN.
class PromptAuthorizer : public renewal::Authorizer {
  public:
    explicit PromptAuthorizer(prompt::Prompter& prompter) : prompter_(prompter) {}

    void unlock(pkcs11::Token& token, const renewal::OperationDescription& what) override;
    void confirm(const renewal::OperationDescription& what) override;

    /// The text a PIN prompt shows (exposed for tests and for the tray UI's layout).
    static prompt::PromptText pinText(const renewal::OperationDescription& what,
                                      const pkcs11::TokenInfo& token);

  private:
    prompt::Prompter& prompter_;
};

}  // namespace firmante::agent
