#include "firmante/pkcs11/OpenSslBridge.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include <libp11.h>

#include "firmante/pkcs11/Error.h"

namespace firmante::pkcs11 {

namespace {

/// What the libp11 thread of one privateKey() call hands back.
struct Lookup {
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    EvpPkeyPtr key;
    std::exception_ptr error;
};

/// The private key with this CKA_ID in libp11's view of `slot`.
EvpPkeyPtr findKey(PKCS11_SLOT* slot, const Bytes& id) {
    // libp11 searches the token again on every enumeration and appends handles it has not seen.
    PKCS11_KEY* keys = nullptr;
    unsigned int nkeys = 0;
    if (PKCS11_enumerate_keys(slot->token, &keys, &nkeys) != 0)
        throwOpenSsl(Reason::KeyNotFound, "PKCS11_enumerate_keys");
    // Newest first: SoftHSM renumbers private objects at C_Logout, and libp11 forgets the old
    // handles only in its own PKCS11_logout (we log out with C_Logout), so the stale entries sit
    // before the fresh ones.
    for (unsigned int k = nkeys; k-- > 0;) {
        if (!keys[k].isPrivate || keys[k].id_len != id.size() ||
            !std::equal(id.begin(), id.end(), keys[k].id))
            continue;
        EvpPkeyPtr pkey(PKCS11_get_private_key(&keys[k]));
        if (!pkey) throwOpenSsl(Reason::KeyNotFound, "PKCS11_get_private_key");
        return pkey;
    }
    throw Error(Reason::KeyNotFound, "private key not visible through libp11 (not logged in?)");
}

}  // namespace

OpenSslBridge::OpenSslBridge(const std::string& modulePath) : modulePath_(modulePath) {
    generations_.push_back(enumerate());
}

OpenSslBridge::Generation OpenSslBridge::enumerate() {
    Generation g;
    g.ctx = PKCS11_CTX_new();
    if (g.ctx == nullptr) throw Error(Reason::Internal, "PKCS11_CTX_new failed", "PKCS11_CTX_new");
    // The module is already initialised by Module::load; libp11 accepts
    // CKR_CRYPTOKI_ALREADY_INITIALIZED and shares the process-wide login state.
    if (PKCS11_CTX_load(g.ctx, modulePath_.c_str()) != 0) {
        PKCS11_CTX_free(g.ctx);
        throwOpenSsl(Reason::ModuleNotFound, "libp11 cannot load " + modulePath_);
    }
    if (PKCS11_enumerate_slots(g.ctx, &g.slots, &g.nslots) != 0) {
        // Unload would C_Finalize the module under our feet; keep the context until teardown.
        g.slots = nullptr;
        g.nslots = 0;
    }
    return g;
}

OpenSslBridge::~OpenSslBridge() {
    // Newest first; the last unload finalises the module (our sessions are closed by now).
    for (auto it = generations_.rbegin(); it != generations_.rend(); ++it) {
        if (it->slots != nullptr) PKCS11_release_all_slots(it->ctx, it->slots, it->nslots);
        PKCS11_CTX_unload(it->ctx);
        PKCS11_CTX_free(it->ctx);
    }
}

EvpPkeyPtr OpenSslBridge::privateKey(unsigned long slotId, const Bytes& id) {
    auto findSlot = [&](Generation& g) -> PKCS11_SLOT* {
        for (unsigned int i = 0; i < g.nslots; ++i)
            if (PKCS11_get_slotid_from_slot(&g.slots[i]) == slotId && g.slots[i].token != nullptr)
                return &g.slots[i];
        return nullptr;
    };
    PKCS11_SLOT* slot = generations_.empty() ? nullptr : findSlot(generations_.back());
    if (slot == nullptr) {
        generations_.push_back(enumerate());
        slot = findSlot(generations_.back());
    }
    if (slot == nullptr)
        throw Error(Reason::TokenNotPresent,
                    "libp11 does not see the token in slot " + std::to_string(slotId));
    // libp11 0.4.12 waits for ever on its slot's session pool when C_OpenSession fails while
    // the pool is empty (pkcs11_get_session: nobody will put a session back). So the lookup runs
    // on a thread of its own with a deadline; past it, the generation is abandoned — never
    // released, since that thread stays blocked inside it — and the next call enumerates anew.
    auto lookup = std::make_shared<Lookup>();
    std::thread([lookup, slot, id] {
        EvpPkeyPtr key;
        std::exception_ptr error;
        try {
            key = findKey(slot, id);
        } catch (...) {
            error = std::current_exception();
        }
        const std::lock_guard lock(lookup->mutex);
        lookup->key = std::move(key);
        lookup->error = error;
        lookup->done = true;
        lookup->finished.notify_all();
    }).detach();
    std::unique_lock lock(lookup->mutex);
    if (!lookup->finished.wait_for(lock, kLookupDeadline, [&] { return lookup->done; })) {
        abandoned().push_back(generations_.back());
        generations_.pop_back();
        throw Error(Reason::Timeout,
                    "the token did not answer libp11 within " +
                        std::to_string(kLookupDeadline.count()) +
                        " s (it could not open a session); nothing was signed",
                    "C_OpenSession");
    }
    if (lookup->error) std::rethrow_exception(lookup->error);
    return std::move(lookup->key);
}

std::vector<OpenSslBridge::Generation>& OpenSslBridge::abandoned() {
    // Process lifetime, on purpose: a thread blocked in libp11 waits on memory of these.
    static auto* generations = new std::vector<Generation>();
    return *generations;
}

}  // namespace firmante::pkcs11
