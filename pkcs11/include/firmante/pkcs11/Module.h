#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <p11-kit/pkcs11.h>

#include "firmante/pkcs11/OpenSsl.h"
#include "firmante/pkcs11/Types.h"

namespace firmante::pkcs11 {

class OpenSslBridge;

/// A loaded and initialised PKCS#11 module. Shared by every Session and Token made from it; the
/// module is finalised and unloaded when the last owner goes away (sessions first, then libp11,
/// then C_Finalize — the order a SoftHSM spike showed to avoid a hang at exit).
class Module : public std::enable_shared_from_this<Module> {
  public:
    /// dlopens `path`, calls C_GetFunctionList and C_Initialize (OS locking). What the module
    /// writes to standard error meanwhile is kept out of the terminal (startupNote). Call it while
    /// no other thread writes to stderr. Throws Error(ModuleNotFound) when the file cannot be
    /// loaded or is not a PKCS#11 module, and the C_Initialize error (with the module's last
    /// words) when it cannot start.
    static std::shared_ptr<Module> load(const std::string& path);

    ~Module();
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    const std::string& path() const noexcept { return path_; }
    /// The module's own function list, for the one checked-call path (see Call.h).
    CK_FUNCTION_LIST* api() const noexcept { return api_; }
    /// "SoftHSM 2.6" / "OpenSC smartcard framework 0.23", from C_GetInfo.
    std::string description() const;
    /// What the module printed on standard error while starting, as one line for a log ("14
    /// lines, the last: \"…\""), or empty. Through p11-kit-proxy, a registered module that
    /// cannot start (tpm2-pkcs11 with no TPM reachable) prints here and p11-kit skips it.
    const std::string& startupNote() const noexcept { return startupNote_; }

    /// Tokens present now, in slot order, with the key types each offers.
    std::vector<TokenInfo> tokens() const;
    /// One token's information, read afresh. Throws Error(TokenNotPresent).
    TokenInfo tokenInfo(CK_SLOT_ID slot) const;
    /// The slot holding the token named by a label or a `pkcs11:` token URI; with an empty
    /// selector the only token present. Throws Error(TokenNotPresent) naming the tokens seen, or
    /// Error(InvalidParams) when several tokens match and none was named.
    CK_SLOT_ID findToken(const std::string& labelOrUri) const;

    /// The key types the token can generate and sign with (TokenMechanisms::offered), as names;
    /// asked once per token (slot, serial, label) and remembered.
    std::vector<std::string> offeredKeyTypes(const TokenInfo& token) const;
    /// The libp11 context sharing this module, created on first use (for EVP_PKEY access).
    OpenSslBridge& bridge();

  private:
    Module(std::string path, void* handle, CK_FUNCTION_LIST* api);
    std::string path_;
    std::string startupNote_;
    void* handle_;
    CK_FUNCTION_LIST* api_;
    /// tokens() without keyTypes (no mechanism calls).
    std::vector<TokenInfo> presentTokens() const;
    std::mutex bridgeMutex_;
    std::unique_ptr<OpenSslBridge> bridge_;
    mutable std::mutex keyTypesMutex_;
    mutable std::map<std::string, std::vector<std::string>> keyTypes_;
};

}  // namespace firmante::pkcs11
