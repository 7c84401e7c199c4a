#include "firmante/pkcs11/Session.h"

#include <cstring>

#include "firmante/pkcs11/Call.h"
#include "firmante/pkcs11/Error.h"

namespace firmante::pkcs11 {

Session::Session(std::shared_ptr<Module> module, CK_SLOT_ID slot)
    : module_(std::move(module)), slot_(slot) {
    const auto inUse = module_->use();
    generation_ = module_->generation();
    CK_RV rv = api()->C_OpenSession(slot_, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr,
                                    &handle_);
    if (rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_SLOT_ID_INVALID || rv == CKR_DEVICE_REMOVED)
        throw Error(Reason::TokenNotPresent, "no token in slot " + std::to_string(slot_),
                    "C_OpenSession", rv);
    check(rv, "C_OpenSession");
}

Session::~Session() {
    loggedOutHere();
    // Waits out a re-initialisation; after one, the handle may name someone else's session.
    const auto inUse = module_->use();
    if (handle_ != CK_INVALID_HANDLE && !stale()) api()->C_CloseSession(handle_);
}

void Session::loggedInHere() noexcept {
    if (holdsLogin_) return;
    holdsLogin_ = true;
    module_->noteLogin(+1);
}

void Session::loggedOutHere() noexcept {
    if (!holdsLogin_) return;
    holdsLogin_ = false;
    module_->noteLogin(-1);
}

namespace {

[[noreturn]] void throwLoginError(Module& module, CK_SLOT_ID slot, CK_RV rv) {
    Error error(rv == CKR_PIN_LOCKED ? Reason::PinLocked : Reason::PinIncorrect,
                rv == CKR_PIN_LOCKED ? "the token's PIN is locked" : "the PIN is incorrect",
                "C_Login", rv);
    // The token's flags, read right after the failure, are the only hint Cryptoki gives.
    try {
        auto info = module.tokenInfo(slot);
        if (info.pinLocked) {
            Error locked(Reason::PinLocked, "the token's PIN is locked", "C_Login", rv);
            locked.setTries(0, true);
            throw locked;
        }
        error.setTries(info.pinFinalTry ? std::optional<int>(1) : std::nullopt, info.pinCountLow);
    } catch (const Error& e) {
        if (e.reason() == Reason::PinLocked) throw;
    }
    throw error;
}

}  // namespace

void Session::login(Secret pin) {
    CK_RV rv = api()->C_Login(handle_, CKU_USER,
                              reinterpret_cast<CK_UTF8CHAR_PTR>(const_cast<char*>(pin.data())),
                              static_cast<CK_ULONG>(pin.size()));
    pin.clear();
    if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) return loggedInHere();
    if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE ||
        rv == CKR_PIN_LOCKED)
        throwLoginError(*module_, slot_, rv);
    check(rv, "C_Login");
}

void Session::contextLogin(Secret pin) {
    CK_RV rv = api()->C_Login(handle_, CKU_CONTEXT_SPECIFIC,
                              reinterpret_cast<CK_UTF8CHAR_PTR>(const_cast<char*>(pin.data())),
                              static_cast<CK_ULONG>(pin.size()));
    pin.clear();
    if (rv == CKR_OK) return;
    if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE ||
        rv == CKR_PIN_LOCKED)
        throwLoginError(*module_, slot_, rv);
    check(rv, "C_Login");
}

void Session::contextLoginProtectedPath() {
    CK_RV rv = api()->C_Login(handle_, CKU_CONTEXT_SPECIFIC, nullptr, 0);
    if (rv == CKR_OK) return;
    if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE ||
        rv == CKR_PIN_LOCKED)
        throwLoginError(*module_, slot_, rv);
    check(rv, "C_Login");
}

void Session::loginProtectedPath() {
    CK_RV rv = api()->C_Login(handle_, CKU_USER, nullptr, 0);
    if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) return loggedInHere();
    if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE ||
        rv == CKR_PIN_LOCKED)
        throwLoginError(*module_, slot_, rv);
    check(rv, "C_Login");
}

bool Session::loggedIn() const {
    CK_SESSION_INFO info{};
    check(api()->C_GetSessionInfo(handle_, &info), "C_GetSessionInfo");
    return info.state == CKS_RW_USER_FUNCTIONS || info.state == CKS_RO_USER_FUNCTIONS;
}

void Session::logout() noexcept {
    if (!stale()) api()->C_Logout(handle_);
    loggedOutHere();
}

std::vector<CK_OBJECT_HANDLE> Session::find(std::vector<CK_ATTRIBUTE> match) const {
    FIRMANTE_CK(api(), C_FindObjectsInit, handle_, match.data(), match.size());
    std::vector<CK_OBJECT_HANDLE> out;
    CK_OBJECT_HANDLE batch[64];
    CK_ULONG n = 0;
    CK_RV rv;
    do {
        rv = api()->C_FindObjects(handle_, batch, 64, &n);
        if (rv != CKR_OK) break;
        out.insert(out.end(), batch, batch + n);
    } while (n == 64);
    api()->C_FindObjectsFinal(handle_);
    check(rv, "C_FindObjects");
    return out;
}

std::optional<Bytes> Session::attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) const {
    CK_ATTRIBUTE a{type, nullptr, 0};
    CK_RV rv = api()->C_GetAttributeValue(handle_, object, &a, 1);
    if (rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID ||
        a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
        return std::nullopt;
    check(rv, "C_GetAttributeValue");
    Bytes value(a.ulValueLen);
    a.pValue = value.data();
    check(api()->C_GetAttributeValue(handle_, object, &a, 1), "C_GetAttributeValue");
    value.resize(a.ulValueLen);
    return value;
}

std::vector<std::optional<Bytes>> Session::attributes(
    CK_OBJECT_HANDLE object, const std::vector<CK_ATTRIBUTE_TYPE>& types) const {
    std::vector<CK_ATTRIBUTE> query;
    for (auto t : types) query.push_back({t, nullptr, 0});
    // PKCS#11 v2.40 §5.7: every attribute is processed even when one is sensitive or unknown;
    // those come back as CK_UNAVAILABLE_INFORMATION.
    CK_RV rv = api()->C_GetAttributeValue(handle_, object, query.data(), query.size());
    if (rv != CKR_ATTRIBUTE_SENSITIVE && rv != CKR_ATTRIBUTE_TYPE_INVALID)
        check(rv, "C_GetAttributeValue");
    std::vector<std::optional<Bytes>> out(types.size());
    std::vector<CK_ATTRIBUTE> read;
    std::vector<std::size_t> where;
    for (std::size_t i = 0; i < query.size(); ++i) {
        if (query[i].ulValueLen == CK_UNAVAILABLE_INFORMATION) continue;
        if (query[i].ulValueLen > 1024 * 1024)
            throw Error(Reason::Internal, "token attribute larger than 1 MiB");
        out[i].emplace(query[i].ulValueLen);
        if (query[i].ulValueLen == 0) continue;
        read.push_back({types[i], out[i]->data(), query[i].ulValueLen});
        where.push_back(i);
    }
    if (read.empty()) return out;
    rv = api()->C_GetAttributeValue(handle_, object, read.data(), read.size());
    if (rv != CKR_ATTRIBUTE_SENSITIVE && rv != CKR_ATTRIBUTE_TYPE_INVALID)
        check(rv, "C_GetAttributeValue");
    for (std::size_t j = 0; j < read.size(); ++j) {
        if (read[j].ulValueLen == CK_UNAVAILABLE_INFORMATION)
            out[where[j]].reset();
        else
            out[where[j]]->resize(read[j].ulValueLen);
    }
    return out;
}

namespace {

// A fixed-size attribute in one call (not a length query and a read): every call is a USB round
// trip on a real token. False when absent, sensitive or of another size.
bool fixedAttribute(const Session& session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type,
                    void* out, CK_ULONG size) {
    CK_ATTRIBUTE a{type, out, size};
    CK_RV rv = session.api()->C_GetAttributeValue(session.handle(), object, &a, 1);
    if (rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID ||
        rv == CKR_BUFFER_TOO_SMALL)
        return false;
    check(rv, "C_GetAttributeValue");
    return a.ulValueLen == size;
}

}  // namespace

bool Session::boolAttribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type, bool fallback) const {
    CK_BBOOL v = CK_FALSE;
    if (!fixedAttribute(*this, object, type, &v, sizeof v)) return fallback;
    return v != CK_FALSE;
}

std::optional<CK_ULONG> Session::ulongAttribute(CK_OBJECT_HANDLE object,
                                                CK_ATTRIBUTE_TYPE type) const {
    CK_ULONG v = 0;
    if (!fixedAttribute(*this, object, type, &v, sizeof v)) return std::nullopt;
    return v;
}

CK_OBJECT_HANDLE Session::createObject(std::vector<CK_ATTRIBUTE> attributes) {
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    FIRMANTE_CK(api(), C_CreateObject, handle_, attributes.data(), attributes.size(), &h);
    return h;
}

void Session::destroyObject(CK_OBJECT_HANDLE object) {
    FIRMANTE_CK(api(), C_DestroyObject, handle_, object);
}

}  // namespace firmante::pkcs11
