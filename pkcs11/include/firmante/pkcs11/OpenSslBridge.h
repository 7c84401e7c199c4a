#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "firmante/pkcs11/OpenSsl.h"
#include "firmante/pkcs11/Types.h"

struct PKCS11_ctx_st;
struct PKCS11_slot_st;

namespace firmante::pkcs11 {

/// libp11 loaded on the same module as our own Cryptoki calls (libp11 0.4.12 cannot generate EC
/// keys nor force CKA_EXTRACTABLE=false, so it is only used to get EVP_PKEYs for OpenSSL).
/// Owned by Module; torn down before the module is finalised.
class OpenSslBridge {
  public:
    explicit OpenSslBridge(const std::string& modulePath);
    ~OpenSslBridge();
    OpenSslBridge(const OpenSslBridge&) = delete;
    OpenSslBridge& operator=(const OpenSslBridge&) = delete;

    /// The private key with this CKA_ID on the token in `slotId`, as an EVP_PKEY whose operations
    /// run on the token. Re-enumerates, so keys generated after the first call are found.
    /// Throws Error(KeyNotFound), or Error(Timeout) when libp11 does not answer within the
    /// lookup deadline (it hangs when the token refuses it a session).
    EvpPkeyPtr privateKey(unsigned long slotId, const Bytes& id);

    /// How long privateKey() waits for libp11.
    static constexpr std::chrono::seconds kLookupDeadline{10};

  private:
    // One libp11 view of the slots. Never released before teardown: libp11 releases a slot with
    // C_CloseAllSessions, which would close our own sessions (and log the token out); and an
    // EVP_PKEY it handed out points into its slot's key list. A token inserted after the first
    // enumeration gets a new generation instead.
    struct Generation {
        PKCS11_ctx_st* ctx = nullptr;
        PKCS11_slot_st* slots = nullptr;
        unsigned int nslots = 0;
    };
    Generation enumerate();
    /// Generations given up on with a libp11 thread blocked inside: kept for the process's life.
    static std::vector<Generation>& abandoned();
    std::string modulePath_;
    std::vector<Generation> generations_;
};

}  // namespace firmante::pkcs11
