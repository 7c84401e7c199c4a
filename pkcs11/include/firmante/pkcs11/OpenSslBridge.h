#pragma once

#include <string>

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
    /// Throws Error(KeyNotFound).
    EvpPkeyPtr privateKey(unsigned long slotId, const Bytes& id);

  private:
    PKCS11_ctx_st* ctx_;
    // Kept for the bridge's lifetime: an EVP_PKEY from libp11 points into its slot's key list, so
    // the slots may only be released after every such key is freed (at teardown).
    PKCS11_slot_st* slots_ = nullptr;
    unsigned int nslots_ = 0;
};

}  // namespace firmante::pkcs11
