#include "firmante/pkcs11/OpenSslBridge.h"

#include <algorithm>

#include <libp11.h>

#include "firmante/pkcs11/Error.h"

namespace firmante::pkcs11 {

OpenSslBridge::OpenSslBridge(const std::string& modulePath) : ctx_(PKCS11_CTX_new()) {
    if (ctx_ == nullptr) throw Error(Reason::Internal, "PKCS11_CTX_new failed", "PKCS11_CTX_new");
    // The module is already initialised by Module::load; libp11 accepts
    // CKR_CRYPTOKI_ALREADY_INITIALIZED and shares the process-wide login state.
    if (PKCS11_CTX_load(ctx_, modulePath.c_str()) != 0) {
        PKCS11_CTX_free(ctx_);
        throwOpenSsl(Reason::ModuleNotFound, "libp11 cannot load " + modulePath);
    }
}

OpenSslBridge::~OpenSslBridge() {
    if (slots_ != nullptr) PKCS11_release_all_slots(ctx_, slots_, nslots_);
    PKCS11_CTX_unload(ctx_);
    PKCS11_CTX_free(ctx_);
}

EvpPkeyPtr OpenSslBridge::privateKey(unsigned long slotId, const Bytes& id) {
    auto findSlot = [&]() -> PKCS11_SLOT* {
        for (unsigned int i = 0; i < nslots_; ++i)
            if (PKCS11_get_slotid_from_slot(&slots_[i]) == slotId && slots_[i].token != nullptr)
                return &slots_[i];
        return nullptr;
    };
    if (slots_ == nullptr && PKCS11_enumerate_slots(ctx_, &slots_, &nslots_) != 0)
        throwOpenSsl(Reason::TokenNotPresent, "PKCS11_enumerate_slots");
    if (findSlot() == nullptr) {
        // A token inserted after the first enumeration. PKCS11_update_slots crashes in libp11
        // 0.4.12 when called twice, so enumerate anew; keys handed out earlier are
        // operation-scoped and already freed by then (see Token::privateKey).
        PKCS11_release_all_slots(ctx_, slots_, nslots_);
        slots_ = nullptr;
        nslots_ = 0;
        if (PKCS11_enumerate_slots(ctx_, &slots_, &nslots_) != 0)
            throwOpenSsl(Reason::TokenNotPresent, "PKCS11_enumerate_slots");
    }
    for (unsigned int i = 0; i < nslots_; ++i) {
        PKCS11_SLOT* slot = &slots_[i];
        if (PKCS11_get_slotid_from_slot(slot) != slotId || slot->token == nullptr) continue;
        // libp11 searches the token again on every enumeration, so a key generated since the
        // last call is found.
        PKCS11_KEY* keys = nullptr;
        unsigned int nkeys = 0;
        if (PKCS11_enumerate_keys(slot->token, &keys, &nkeys) != 0)
            throwOpenSsl(Reason::KeyNotFound, "PKCS11_enumerate_keys");
        for (unsigned int k = 0; k < nkeys; ++k) {
            if (!keys[k].isPrivate || keys[k].id_len != id.size() ||
                !std::equal(id.begin(), id.end(), keys[k].id))
                continue;
            EvpPkeyPtr pkey(PKCS11_get_private_key(&keys[k]));
            if (!pkey) throwOpenSsl(Reason::KeyNotFound, "PKCS11_get_private_key");
            return pkey;
        }
    }
    throw Error(Reason::KeyNotFound, "private key not visible through libp11 (not logged in?)");
}

}  // namespace firmante::pkcs11
