#include "firmante/pkcs11/Module.h"

#include <dlfcn.h>

#include <cstring>

#include "firmante/pkcs11/Call.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Mechanisms.h"
#include "firmante/pkcs11/OpenSslBridge.h"

#include "StderrCapture.h"

namespace firmante::pkcs11 {

namespace {

// Under AddressSanitizer a module stays mapped once loaded (failed to start, or finalized), so
// that LeakSanitizer can name the library that leaked at exit (tpm2-pkcs11 leaks when it finds no
// TPM and in its ECDSA C_Sign) and the suppression file of the sanitizer run
// (tests/sanitizers/lsan.supp) can match it; an unloaded module's frames are "<unknown module>".
// Plain builds unload it.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kKeepModulesMapped = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kKeepModulesMapped = true;
#else
constexpr bool kKeepModulesMapped = false;
#endif
#else
constexpr bool kKeepModulesMapped = false;
#endif

void unload(void* handle) {
    if (!kKeepModulesMapped) ::dlclose(handle);
}

// Cryptoki strings are fixed-width and blank-padded.
std::string padded(const unsigned char* p, std::size_t n) {
    std::string s(reinterpret_cast<const char*>(p), n);
    auto end = s.find_last_not_of(" \0", std::string::npos, 2);
    return end == std::string::npos ? std::string{} : s.substr(0, end + 1);
}

}  // namespace

std::shared_ptr<Module> Module::load(const std::string& path) {
    internal::StderrCapture capture;
    auto said = [&capture] {
        auto note = internal::summarizeModuleOutput(capture.finish());
        return note.empty() ? note : " (the module printed " + note + ")";
    };
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* why = ::dlerror();
        throw Error(Reason::ModuleNotFound,
                    "cannot load PKCS#11 module " + path + ": " + (why ? why : "unknown"),
                    "dlopen");
    }
    auto getList = reinterpret_cast<CK_C_GetFunctionList>(::dlsym(handle, "C_GetFunctionList"));
    CK_FUNCTION_LIST* api = nullptr;
    if (getList == nullptr || getList(&api) != CKR_OK || api == nullptr) {
        unload(handle);
        throw Error(Reason::ModuleNotFound, path + " is not a PKCS#11 module", "C_GetFunctionList");
    }
    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    CK_RV rv = api->C_Initialize(&args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        unload(handle);
        try {
            check(rv, "C_Initialize");
        } catch (const Error& e) {
            throw Error(e.reason(), e.what() + said(), "C_Initialize", rv);
        }
    }
    auto module = std::shared_ptr<Module>(new Module(path, handle, api));
    module->startupNote_ = internal::summarizeModuleOutput(capture.finish());
    return module;
}

Module::Module(std::string path, void* handle, CK_FUNCTION_LIST* api)
    : path_(std::move(path)), handle_(handle), api_(api) {}

Module::~Module() {
    // Sessions are gone (they own us); libp11 next, which finalises the module itself.
    if (bridge_) {
        bridge_.reset();
    } else {
        api_->C_Finalize(nullptr);
    }
    unload(handle_);
}

std::string Module::description() const {
    const auto inUse = use();
    CK_INFO info{};
    FIRMANTE_CK(api_, C_GetInfo, &info);
    return padded(info.manufacturerID, sizeof info.manufacturerID) + " " +
           padded(info.libraryDescription, sizeof info.libraryDescription) + " " +
           std::to_string(info.libraryVersion.major) + "." +
           std::to_string(info.libraryVersion.minor);
}

TokenInfo Module::tokenInfo(CK_SLOT_ID slot) const {
    const auto inUse = use();
    CK_TOKEN_INFO ti{};
    CK_RV rv = api_->C_GetTokenInfo(slot, &ti);
    if (rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_SLOT_ID_INVALID || rv == CKR_DEVICE_REMOVED)
        throw Error(Reason::TokenNotPresent, "no token in slot " + std::to_string(slot),
                    "C_GetTokenInfo", rv);
    check(rv, "C_GetTokenInfo");
    TokenInfo info;
    info.slotId = slot;
    info.label = padded(ti.label, sizeof ti.label);
    info.manufacturer = padded(ti.manufacturerID, sizeof ti.manufacturerID);
    info.model = padded(ti.model, sizeof ti.model);
    info.serial = padded(ti.serialNumber, sizeof ti.serialNumber);
    info.pinpad = ti.flags & CKF_PROTECTED_AUTHENTICATION_PATH;
    info.pinCountLow = ti.flags & CKF_USER_PIN_COUNT_LOW;
    info.pinFinalTry = ti.flags & CKF_USER_PIN_FINAL_TRY;
    info.pinLocked = ti.flags & CKF_USER_PIN_LOCKED;
    info.loginRequired = ti.flags & CKF_LOGIN_REQUIRED;
    info.initialized = (ti.flags & CKF_TOKEN_INITIALIZED) && (ti.flags & CKF_USER_PIN_INITIALIZED);
    return info;
}

std::vector<TokenInfo> Module::tokens() const {
    const auto inUse = use();
    auto out = presentTokens();
    for (auto& t : out) t.keyTypes = offeredKeyTypes(t);
    return out;
}

std::vector<TokenInfo> Module::presentTokens() const {
    CK_ULONG count = 0;
    FIRMANTE_CK(api_, C_GetSlotList, CK_TRUE, nullptr, &count);
    std::vector<CK_SLOT_ID> slots(count);
    if (count != 0) FIRMANTE_CK(api_, C_GetSlotList, CK_TRUE, slots.data(), &count);
    slots.resize(count);
    std::vector<TokenInfo> out;
    for (CK_SLOT_ID s : slots) {
        try {
            auto info = tokenInfo(s);
            // SoftHSM and some readers always offer a blank token in a spare slot: not usable.
            if (info.initialized) out.push_back(std::move(info));
        } catch (const Error& e) {
            // A token pulled out between the two calls is simply not present.
            if (e.reason() != Reason::TokenNotPresent) throw;
        }
    }
    return out;
}

std::vector<std::string> Module::offeredKeyTypes(const TokenInfo& token) const {
    // A token's mechanisms do not change while it is inserted, and the agent's monitor lists
    // tokens twice a second: ask once per token (a USB round trip per call on real tokens).
    const std::string key = std::to_string(token.slotId) + '\n' + token.serial + '\n' + token.label;
    {
        std::lock_guard lock(keyTypesMutex_);
        if (auto it = keyTypes_.find(key); it != keyTypes_.end()) return it->second;
    }
    std::vector<std::string> out;
    const auto inUse = use();
    for (KeyType t : TokenMechanisms::read(*this, token.slotId).offered())
        out.emplace_back(keyTypeName(t));
    std::lock_guard lock(keyTypesMutex_);
    if (keyTypes_.size() > 64) keyTypes_.clear();  // bounded: tokens come and go
    keyTypes_[key] = out;
    return out;
}

CK_SLOT_ID Module::findToken(const std::string& selector) const {
    const auto inUse = use();
    auto all = presentTokens();
    std::vector<const TokenInfo*> matches;
    std::optional<Uri> uri;
    if (isPkcs11Uri(selector)) uri = Uri::parse(selector);
    for (auto& t : all) {
        if (selector.empty() ||
            (uri && uri->matchesToken(t.label, t.manufacturer, t.model, t.serial)) ||
            (!uri && t.label == selector))
            matches.push_back(&t);
    }
    std::string seen;
    for (auto& t : all) seen += (seen.empty() ? "" : ", ") + ("\"" + t.label + "\"");
    if (matches.empty()) {
        if (all.empty()) throw Error(Reason::TokenNotPresent, "no token present in " + path_);
        throw Error(Reason::TokenNotPresent,
                    "token \"" + selector + "\" not present; tokens seen: " + seen);
    }
    if (matches.size() > 1)
        throw Error(Reason::InvalidParams,
                    "several tokens present (" + seen + "); name one with --token");
    return matches.front()->slotId;
}

OpenSslBridge& Module::bridge() {
    std::lock_guard lock(bridgeMutex_);
    if (!bridge_) bridge_ = std::make_unique<OpenSslBridge>(path_);
    return *bridge_;
}

}  // namespace firmante::pkcs11
