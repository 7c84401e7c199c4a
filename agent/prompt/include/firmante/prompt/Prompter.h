#pragma once

#include "firmante/pkcs11/Secret.h"
#include "firmante/prompt/PromptText.h"

namespace firmante::prompt {

/// The agent's own UI for PINs and consent (DESIGN §3 rule 2: a PIN is typed only here).
/// Implementations: PinentryPrompter (headless), the Qt tray dialog, test doubles.
/// Calls block until the person answers; call them off any network thread.
class Prompter {
  public:
    virtual ~Prompter() = default;

    /// Asks for a PIN. Throws pkcs11::Error(UserCancelled) when the person cancels, and
    /// pkcs11::Error(Internal) when the prompt cannot be shown (e.g. the program is missing).
    virtual pkcs11::Secret askPin(const PromptText& text) = 0;

    /// Asks a yes/no question. Returns false when the person refuses or cancels. Throws
    /// pkcs11::Error(Internal) when the prompt cannot be shown.
    virtual bool confirm(const PromptText& text) = 0;

    /// The agent is stopping: closes every open question at once (as a cancel the caller sees
    /// as an error) and refuses new ones. May be called from any thread; never blocks.
    virtual void shutdown() noexcept {}
};

}  // namespace firmante::prompt
