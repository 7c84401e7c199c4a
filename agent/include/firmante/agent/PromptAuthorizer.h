#pragma once

#include <functional>

#include "firmante/agent/UnlockHolds.h"
#include "firmante/prompt/PromptText.h"
#include "firmante/prompt/Prompter.h"
#include "firmante/renewal/Authorizer.h"

namespace firmante::agent {

/// The agent's Authorizer: shows who asks, what for, the document (name and SHA-256), the token
/// and key, the letter check and a remaining-tries warning, then logs in once — with the typed
/// PIN, or on the reader's pinpad after a notice. Never retries a wrong PIN.
///
/// With `holds` (issue 12 §3), a renewal step's login is kept for the renewal's later steps from
/// the same site: they ask no PIN, but a document signature is still shown and confirmed. A login
/// kept for another site is ended before this site's PIN is asked. A key with
/// CKA_ALWAYS_AUTHENTICATE asks the PIN again before each of its signatures, kept login or not.
class PromptAuthorizer : public renewal::Authorizer {
  public:
    explicit PromptAuthorizer(prompt::Prompter& prompter, UnlockHolds* holds = nullptr)
        : prompter_(prompter), holds_(holds) {}

    void unlock(pkcs11::Token& token, const renewal::OperationDescription& what) override;
    void nextSignatureShows(pkcs11::Token& token,
                            const renewal::OperationDescription& what) override;
    void confirm(const renewal::OperationDescription& what) override;
    void release(pkcs11::Token& token) noexcept override;
    void renewalEnded(pkcs11::Token& token, const std::string& renewalId) noexcept override;

    /// The text a PIN prompt shows (exposed for tests and for the tray UI's layout).
    static prompt::PromptText pinText(const renewal::OperationDescription& what,
                                      const pkcs11::TokenInfo& token);
    /// The text of the confirmation a signature gets when the token is already unlocked.
    static prompt::PromptText signatureText(const renewal::OperationDescription& what);

  private:
    /// The PIN again for one signature with a CKA_ALWAYS_AUTHENTICATE key (never skipped by a
    /// renewal's kept login): C_Login(CKU_CONTEXT_SPECIFIC) on `session`, or its pinpad.
    void contextLogin(pkcs11::Session& session, renewal::OperationDescription what);
    /// Asks the PIN (then `withPin`), or on a PIN-pad reader the person's go-ahead (then
    /// `onPinpad`): exactly one login, never retried. PinLocked before anything is asked.
    void askAndLogin(const pkcs11::TokenInfo& info, prompt::PromptText text,
                     const std::function<void(pkcs11::Secret)>& withPin,
                     const std::function<void()>& onPinpad);

    prompt::Prompter& prompter_;
    UnlockHolds* holds_;
};

}  // namespace firmante::agent
