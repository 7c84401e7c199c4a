// Module: the re-initialisation gate, reinitialize() and slot events (Module.h).
#include "firmante/pkcs11/Module.h"

#include <optional>

#include "firmante/pkcs11/Call.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/OpenSslBridge.h"

#include "StderrCapture.h"

namespace firmante::pkcs11 {

Module::Use::Use(const Module& module) : module_(module) {
    std::unique_lock lock(module_.gateMutex_);
    module_.gateOpen_.wait(lock, [this] { return !module_.reinitializing_; });
    ++module_.users_;
}

Module::Use::~Use() {
    std::lock_guard lock(module_.gateMutex_);
    --module_.users_;
}

void Module::noteLogin(int delta) const {
    std::lock_guard lock(gateMutex_);
    logins_ += delta;
}

bool Module::busy() const {
    std::lock_guard lock(gateMutex_);
    return users_ > 0 || logins_ > 0 || reinitializing_;
}

Module::Reinitialization Module::reinitialize() {
    Reinitialization out;
    {
        std::lock_guard lock(gateMutex_);
        if (users_ > 0 || logins_ > 0 || reinitializing_) return out;  // Busy
        reinitializing_ = true;
    }
    // Nobody is inside the module now, and nobody enters until the gate opens again.
    CK_RV rv = CKR_OK;
    {
        // Standard error is process-wide: while it is redirected, the agent's own lines from
        // other threads land here too (they are in its log file as well). So only for a module
        // that printed at load (p11-kit-proxy with a registered module that cannot start), which
        // would print the same dozen lines again at every re-initialisation.
        std::optional<internal::StderrCapture> capture;
        if (!startupNote_.empty()) capture.emplace();
        {
            // libp11 finalises the module when its context goes (and closes every session on
            // its slots); no key it handed out is in use, since no Use is.
            std::lock_guard lock(bridgeMutex_);
            bridge_.reset();
        }
        api_->C_Finalize(nullptr);  // CKR_CRYPTOKI_NOT_INITIALIZED when libp11 did it
        ++generation_;
        CK_C_INITIALIZE_ARGS args{};
        args.flags = CKF_OS_LOCKING_OK;
        rv = api_->C_Initialize(&args);
        if (capture) out.note = internal::summarizeModuleOutput(capture->finish());
    }
    initialized_ = rv == CKR_OK || rv == CKR_CRYPTOKI_ALREADY_INITIALIZED;
    if (initialized_) {
        out.outcome = Reinitialization::Outcome::Done;
    } else {
        out.outcome = Reinitialization::Outcome::Failed;
        out.error = "C_Initialize: " + rvName(rv);
    }
    {
        std::lock_guard lock(gateMutex_);
        reinitializing_ = false;
    }
    gateOpen_.notify_all();
    return out;
}

Module::SlotEvents Module::slotEvents() {
    const auto inUse = use();
    if (api_->C_WaitForSlotEvent == nullptr) return SlotEvents::NotReported;
    bool changed = false;
    // Bounded: a module that reported events for ever would otherwise keep the monitor here.
    for (int i = 0; i < 32; ++i) {
        CK_SLOT_ID slot = 0;
        const CK_RV rv = api_->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, nullptr);
        if (rv == CKR_OK) {
            changed = true;
            continue;
        }
        if (rv == CKR_NO_EVENT) break;
        if (rv == CKR_FUNCTION_NOT_SUPPORTED)
            return changed ? SlotEvents::Changed : SlotEvents::NotReported;
        check(rv, "C_WaitForSlotEvent");
    }
    return changed ? SlotEvents::Changed : SlotEvents::None;
}

}  // namespace firmante::pkcs11
