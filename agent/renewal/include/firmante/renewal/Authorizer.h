#pragma once

#include <optional>
#include <string>

#include "firmante/pkcs11/Token.h"

namespace firmante::renewal {

/// What the person is shown before a key is used (DESIGN §3 rule 4): every PIN or consent prompt
/// names who asks, what for, and — for a document — its file name and SHA-256.
struct OperationDescription {
    std::string origin;       // as the transport attests it: "https://…", "local"
    std::string operation;    // in words, es-MX: "Firmar la Carta de Aceptación de Renovación"
    std::string operationEn;  // the same in English
    std::optional<std::string> fileName;
    std::optional<std::string> documentSha256Hex;  // lower-case hex
    std::string tokenLabel;
    std::string keyLabel;
    std::optional<std::string> check;           // result of the letter check, shown to the person
    std::optional<std::string> keyFingerprint;  // spkiFingerprint of the new key (renewals)
};

/// The agent's prompts, as the renewal logic needs them. Implemented by the agent core (pinentry
/// today, the tray UI later) and by tests. Called on the token's worker thread.
class Authorizer {
public:
    virtual ~Authorizer() = default;
    /// Asks for the PIN (or the pinpad) showing `what`, and logs `token` in once with it.
    /// Throws pkcs11::Error(UserCancelled), (PinIncorrect) with the tries hint, (PinLocked).
    /// Never retries a wrong PIN.
    virtual void unlock(pkcs11::Token& token, const OperationDescription& what) = 0;
    /// Asks for consent without a PIN. Throws pkcs11::Error(UserCancelled) when refused.
    virtual void confirm(const OperationDescription& what) = 0;
};

}  // namespace firmante::renewal
