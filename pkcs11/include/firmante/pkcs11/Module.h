#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
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
///
/// The module can be finalized and initialised again while the agent runs (reinitialize(), for a
/// token created in SoftHSM's folder after it started), only while nothing uses it: each Session,
/// each of the query methods below and each agent job holds a Use, and a login made by a Session
/// counts until it logs out or closes. Sessions opened before a re-initialisation are dead after
/// it (stale()) and are not closed again (their handle may name a new session by then).
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

    /// Holds off reinitialize() while it lives; waits while one runs. Nests on one thread.
    class Use {
      public:
        explicit Use(const Module& module);
        ~Use();
        Use(const Use&) = delete;
        Use& operator=(const Use&) = delete;

      private:
        const Module& module_;
    };
    [[nodiscard]] Use use() const { return Use(*this); }
    /// Counts a Session's login (+1) and its logout or closing (-1): no re-initialisation while
    /// any login stands (a renewal's kept login, issue 12 §3).
    void noteLogin(int delta) const;
    /// Whether an operation (a Use) or a login holds the module now.
    bool busy() const;
    /// Bumped by each re-initialisation: a session of an older generation is dead.
    std::uint64_t generation() const noexcept { return generation_; }
    /// False after a re-initialisation whose C_Initialize failed (every call then fails with
    /// CKR_CRYPTOKI_NOT_INITIALIZED until one succeeds).
    bool initialized() const noexcept { return initialized_; }

    struct Reinitialization {
        enum class Outcome { Done, Busy, Failed };
        Outcome outcome = Outcome::Busy;
        std::string error;  // Failed: the C_Initialize error
        std::string note;   // what the module printed meanwhile, summarised (see startupNote)
    };
    /// C_Finalize and C_Initialize again, so that a module that reads its tokens only when it
    /// starts (SoftHSM's token folder) sees the ones created since. Busy, touching nothing, while
    /// a Use or a login holds the module; otherwise libp11's context is dropped first (it is made
    /// again on next use), every open session dies, and new Uses wait until it is over. Standard
    /// error is kept out of the terminal meanwhile only when the module printed there at load.
    Reinitialization reinitialize();

    /// What C_WaitForSlotEvent says with CKF_DONT_BLOCK, asked until it has nothing more (never
    /// blocks): Changed when a slot had an event since the last call, None for CKR_NO_EVENT
    /// (what SoftHSM 2.6 always answers: it has no events, and says so only to a blocking call),
    /// NotReported for CKR_FUNCTION_NOT_SUPPORTED (older p11-kit-proxy; the newer one when a
    /// module behind it does). Throws Error for any other failure.
    enum class SlotEvents { None, Changed, NotReported };
    SlotEvents slotEvents();

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
    // The re-initialisation gate (ModuleLifecycle.cpp).
    mutable std::mutex gateMutex_;
    mutable std::condition_variable gateOpen_;
    mutable int users_ = 0;
    mutable int logins_ = 0;
    bool reinitializing_ = false;
    std::atomic<std::uint64_t> generation_{0};
    std::atomic<bool> initialized_{true};
};

}  // namespace firmante::pkcs11
