// Fault-injecting PKCS#11 module for tests. Every call goes to the real module (SoftHSM, or
// FIRMANTE_FAULT_REAL_MODULE); the file named by FIRMANTE_FAULTS, re-read on every call, holds
// words that change behaviour:
//   removed     the token is gone: not listed, sessions fail with CKR_DEVICE_REMOVED
//   pinpad      CKF_PROTECTED_AUTHENTICATION_PATH is set; C_Login with a NULL PIN logs in with the
//               PIN on a line "pinpad-pin=NNNN" (the person typed it on the reader), or returns
//               CKR_FUNCTION_CANCELED when there is none (the person pressed cancel)
//   count-low / final-try / locked   add CKF_USER_PIN_COUNT_LOW / _FINAL_TRY / _LOCKED
// Every C_Login is appended to the file named by FIRMANTE_FAULTS_LOG ("C_Login rv=0x…").
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include <p11-kit/pkcs11.h>

namespace {

CK_FUNCTION_LIST* real = nullptr;
CK_FUNCTION_LIST wrapped;

std::string faults() {
    const char* path = std::getenv("FIRMANTE_FAULTS");
    if (path == nullptr) return {};
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

bool has(const std::string& all, const char* word) {
    std::istringstream in(all);
    std::string w;
    while (in >> w)
        if (w == word) return true;
    return false;
}

bool removed() {
    return has(faults(), "removed");
}

void logLogin(CK_RV rv) {
    const char* path = std::getenv("FIRMANTE_FAULTS_LOG");
    if (path == nullptr) return;
    if (FILE* f = std::fopen(path, "a")) {
        std::fprintf(f, "C_Login rv=0x%lx\n", static_cast<unsigned long>(rv));
        std::fclose(f);
    }
}

CK_RV GetSlotList(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count) {
    if (present && removed()) {
        *count = 0;
        return CKR_OK;
    }
    return real->C_GetSlotList(present, list, count);
}

CK_RV GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
    auto f = faults();
    if (has(f, "removed")) return CKR_TOKEN_NOT_PRESENT;
    CK_RV rv = real->C_GetTokenInfo(slot, info);
    if (rv != CKR_OK) return rv;
    if (has(f, "pinpad")) info->flags |= CKF_PROTECTED_AUTHENTICATION_PATH;
    if (has(f, "count-low")) info->flags |= CKF_USER_PIN_COUNT_LOW;
    if (has(f, "final-try")) info->flags |= CKF_USER_PIN_FINAL_TRY;
    if (has(f, "locked")) info->flags |= CKF_USER_PIN_LOCKED;
    return CKR_OK;
}

CK_RV OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
                  CK_SESSION_HANDLE_PTR session) {
    if (removed()) return CKR_TOKEN_NOT_PRESENT;
    return real->C_OpenSession(slot, flags, app, notify, session);
}

CK_RV Login(CK_SESSION_HANDLE s, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len) {
    auto f = faults();
    CK_RV rv;
    if (has(f, "removed")) {
        rv = CKR_DEVICE_REMOVED;
    } else if (has(f, "locked")) {
        rv = CKR_PIN_LOCKED;
    } else if (pin == nullptr && has(f, "pinpad")) {
        auto pos = f.find("pinpad-pin=");
        if (pos == std::string::npos) {
            rv = CKR_FUNCTION_CANCELED;
        } else {
            std::string typed = f.substr(pos + 11, f.find_first_of(" \n", pos) - pos - 11);
            rv = real->C_Login(s, user, reinterpret_cast<CK_UTF8CHAR_PTR>(typed.data()),
                               typed.size());
        }
    } else {
        rv = real->C_Login(s, user, pin, len);
    }
    logLogin(rv);
    return rv;
}

// The calls a session makes while the token is gone all fail the same way.
#define FAIL_WHEN_REMOVED(name, params, args)     \
    CK_RV name params {                           \
        if (removed()) return CKR_DEVICE_REMOVED; \
        return real->C_##name args;               \
    }

FAIL_WHEN_REMOVED(GetSessionInfo, (CK_SESSION_HANDLE s, CK_SESSION_INFO_PTR i), (s, i))
FAIL_WHEN_REMOVED(FindObjectsInit, (CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG n), (s, t, n))
FAIL_WHEN_REMOVED(GetAttributeValue,
                  (CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n),
                  (s, o, t, n))
FAIL_WHEN_REMOVED(SignInit, (CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k),
                  (s, m, k))
FAIL_WHEN_REMOVED(Sign,
                  (CK_SESSION_HANDLE s, CK_BYTE_PTR d, CK_ULONG n, CK_BYTE_PTR sig,
                   CK_ULONG_PTR len),
                  (s, d, n, sig, len))
FAIL_WHEN_REMOVED(GenerateKeyPair,
                  (CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pt, CK_ULONG pn,
                   CK_ATTRIBUTE_PTR kt, CK_ULONG kn, CK_OBJECT_HANDLE_PTR ph,
                   CK_OBJECT_HANDLE_PTR kh),
                  (s, m, pt, pn, kt, kn, ph, kh))
FAIL_WHEN_REMOVED(CreateObject,
                  (CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR o),
                  (s, t, n, o))
FAIL_WHEN_REMOVED(DestroyObject, (CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o), (s, o))

void load() {
    const char* path = std::getenv("FIRMANTE_FAULT_REAL_MODULE");
    void* h = dlopen(path ? path : FIRMANTE_SOFTHSM_MODULE, RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) return;
    auto get = reinterpret_cast<CK_C_GetFunctionList>(dlsym(h, "C_GetFunctionList"));
    if (get == nullptr || get(&real) != CKR_OK) return;
    wrapped = *real;
    wrapped.C_GetSlotList = GetSlotList;
    wrapped.C_GetTokenInfo = GetTokenInfo;
    wrapped.C_OpenSession = OpenSession;
    wrapped.C_Login = Login;
    wrapped.C_GetSessionInfo = GetSessionInfo;
    wrapped.C_FindObjectsInit = FindObjectsInit;
    wrapped.C_GetAttributeValue = GetAttributeValue;
    wrapped.C_SignInit = SignInit;
    wrapped.C_Sign = Sign;
    wrapped.C_GenerateKeyPair = GenerateKeyPair;
    wrapped.C_CreateObject = CreateObject;
    wrapped.C_DestroyObject = DestroyObject;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) CK_RV C_GetFunctionList(
    CK_FUNCTION_LIST_PTR_PTR list) {
    if (real == nullptr) load();
    if (real == nullptr) return CKR_GENERAL_ERROR;
    *list = &wrapped;
    return CKR_OK;
}
