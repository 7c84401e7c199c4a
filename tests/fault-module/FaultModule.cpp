// Fault-injecting PKCS#11 module for tests. Every call goes to the real module (SoftHSM, or
// FIRMANTE_FAULT_REAL_MODULE); the file named by FIRMANTE_FAULTS, re-read on every call, holds
// words that change behaviour:
//   removed     the token is gone: not listed, every session call fails with CKR_DEVICE_REMOVED
//   pinpad      CKF_PROTECTED_AUTHENTICATION_PATH is set; C_Login with a NULL PIN logs in with the
//               PIN on a line "pinpad-pin=NNNN" (the person typed it on the reader), or returns
//               CKR_FUNCTION_CANCELED when there is none (the person pressed cancel)
//   count-low / final-try / locked   add CKF_USER_PIN_COUNT_LOW / _FINAL_TRY / _LOCKED
//   fail-call=N the N-th Cryptoki call counted from the moment the file's text last changed fails
//               once (the real module is not called), with CKR_DEVICE_ERROR or fail-rv=0xNN
//   fail=C_Name the first call of that function after the text changed fails once, likewise; the
//               word may be repeated to fail several functions once each
//   remove-at=C_Name  the token is pulled out at the first call of that function (which fails
//               with CKR_DEVICE_REMOVED) and stays out, as with "removed", until the text changes
//   hide-mechanism=0xNN  the token does not offer that mechanism: left out of C_GetMechanismList,
//               CKR_MECHANISM_INVALID from C_GetMechanismInfo, C_SignInit and C_GenerateKeyPair
//               (a few-mechanism token: RSA-only, CKM_ECDSA_SHA1-only, no CKM_SHA256_RSA_PKCS)
//   strict-public-template  C_GenerateKeyPair fails with CKR_GENERAL_ERROR when the public
//               template states CKA_VERIFY, CKA_ENCRYPT or CKA_WRAP, as tpm2-pkcs11 does ("User
//               specified and TPM specified attr mismatch")
//   no-access-flags  C_GetAttributeValue reads CKA_LOCAL, CKA_NEVER_EXTRACTABLE and
//               CKA_ALWAYS_SENSITIVE as false (a card that records no access flags, issue 11)
//   slot-list-fails  every C_GetSlotList fails with CKR_GENERAL_ERROR, as SoftHSM's does once
//               its token folder is gone (the module can no longer say what is there)
//   slot-events the module reports slot events itself (blocking waits are not supported, as with
//               p11-kit-proxy): C_WaitForSlotEvent with CKF_DONT_BLOCK answers CKR_OK, logging
//               "slot event", when the token went out ("removed", remove-at=) or came back since
//               the last event or C_Initialize, else CKR_NO_EVENT. Without the word SoftHSM
//               answers (CKR_NO_EVENT for ever; CKR_FUNCTION_NOT_SUPPORTED when blocking). Never
//               counted.
//   trace       every counted call is appended to the log as "call #N C_Name", and each
//               C_SignInit's mechanism as "sign mechanism=0xNN"
// C_Initialize, C_Finalize and C_GetFunctionList are passed through and never counted: the fault
// sweeps fail what an agent does with an open token, not the loading of the module.
// Every C_Login is appended to the file named by FIRMANTE_FAULTS_LOG ("C_Login rv=0x… user=N", N
// the CK_USER_TYPE: 1 user, 2 context-specific), and every injected failure as "fault #N C_Name".
#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

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

/// The values of every "key=value" word.
std::set<std::string> valuesOf(const std::string& all, const std::string& key) {
    std::set<std::string> out;
    std::istringstream in(all);
    std::string w;
    while (in >> w)
        if (w.rfind(key + "=", 0) == 0) out.insert(w.substr(key.size() + 1));
    return out;
}

/// The value of a "key=value" word, empty when absent.
std::string valueOf(const std::string& all, const std::string& key) {
    const auto values = valuesOf(all, key);
    return values.empty() ? std::string{} : *values.begin();
}

void log(const std::string& line) {
    const char* path = std::getenv("FIRMANTE_FAULTS_LOG");
    if (path == nullptr) return;
    if (FILE* f = std::fopen(path, "a")) {
        std::fprintf(f, "%s\n", line.c_str());
        std::fclose(f);
    }
}

void logLogin(CK_RV rv, CK_USER_TYPE user) {
    char line[64];
    std::snprintf(line, sizeof line, "C_Login rv=0x%lx user=%lu", static_cast<unsigned long>(rv),
                  static_cast<unsigned long>(user));
    log(line);
}

/// What one call should do, decided under a lock: the agent calls from several threads.
struct Decision {
    std::string text;  // the fault file's words
    CK_RV inject = CKR_OK;
    bool pulled = false;  // remove-at= has fired
    bool removed() const { return pulled || has(text, "removed"); }
};

std::mutex countMutex;
std::string countedText;      // the text the count belongs to
unsigned long calls = 0;      // calls since that text appeared
std::set<std::string> fired;  // fail=C_Name words already used for that text
bool pulledOut = false;       // remove-at= fired for that text

Decision decide(const char* name) {
    Decision d;
    d.text = faults();
    std::lock_guard lock(countMutex);
    if (d.text != countedText) {
        countedText = d.text;
        calls = 0;
        fired.clear();
        pulledOut = false;
    }
    if (!pulledOut && valueOf(d.text, "remove-at") == name) {
        pulledOut = true;
        log(std::string("pulled out at ") + name);
    }
    d.pulled = pulledOut;
    const unsigned long n = ++calls;
    if (has(d.text, "trace")) log("call #" + std::to_string(n) + " " + name);
    bool fail = false;
    const std::string nth = valueOf(d.text, "fail-call");
    if (!nth.empty() && std::strtoul(nth.c_str(), nullptr, 10) == n) fail = true;
    if (valuesOf(d.text, "fail").count(name) != 0 && fired.insert(name).second) fail = true;
    if (fail) {
        const std::string rv = valueOf(d.text, "fail-rv");
        d.inject = rv.empty() ? CKR_DEVICE_ERROR : std::strtoul(rv.c_str(), nullptr, 16);
        log("fault #" + std::to_string(n) + " " + name);
    }
    return d;
}

/// Whether the token is out now (the file's "removed", or remove-at= fired for this text).
bool outNow(const std::string& text) {
    std::lock_guard lock(countMutex);
    return has(text, "removed") || (pulledOut && countedText == text);
}

bool reportedOut = false;  // what the last slot event (or C_Initialize) left the token as

CK_RV Initialize(CK_VOID_PTR args) {
    const CK_RV rv = real->C_Initialize(args);
    if (rv != CKR_OK) return rv;  // libp11's second C_Initialize keeps the baseline
    const bool out = outNow(faults());
    std::lock_guard lock(countMutex);
    reportedOut = out;
    return rv;
}

CK_RV WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR slot, CK_VOID_PTR reserved) {
    const std::string text = faults();
    if (!has(text, "slot-events")) return real->C_WaitForSlotEvent(flags, slot, reserved);
    if ((flags & CKF_DONT_BLOCK) == 0) return CKR_FUNCTION_NOT_SUPPORTED;
    const bool out = outNow(text);
    {
        std::lock_guard lock(countMutex);
        if (out == reportedOut) return CKR_NO_EVENT;
        reportedOut = out;
    }
    CK_SLOT_ID slots[8];
    CK_ULONG n = 8;
    *slot = real->C_GetSlotList(CK_FALSE, slots, &n) == CKR_OK && n > 0 ? slots[0] : 0;
    log(out ? "slot event: token out" : "slot event: token in");
    return CKR_OK;
}

CK_RV GetSlotList(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count) {
    const Decision d = decide("C_GetSlotList");
    if (d.inject != CKR_OK) return d.inject;
    if (has(d.text, "slot-list-fails")) return CKR_GENERAL_ERROR;
    if (present && d.removed()) {
        *count = 0;
        return CKR_OK;
    }
    return real->C_GetSlotList(present, list, count);
}

CK_RV GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
    const Decision d = decide("C_GetTokenInfo");
    if (d.inject != CKR_OK) return d.inject;
    const std::string& f = d.text;
    if (d.removed()) return CKR_TOKEN_NOT_PRESENT;
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
    const Decision d = decide("C_OpenSession");
    if (d.inject != CKR_OK) return d.inject;
    if (d.removed()) return CKR_TOKEN_NOT_PRESENT;
    return real->C_OpenSession(slot, flags, app, notify, session);
}

CK_RV Login(CK_SESSION_HANDLE s, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len) {
    const Decision d = decide("C_Login");
    const std::string& f = d.text;
    CK_RV rv;
    if (d.inject != CKR_OK) {
        rv = d.inject;
    } else if (d.removed()) {
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
    logLogin(rv, user);
    return rv;
}

// Calls that work without a token in the slot: counted and failable, never "removed".
#define COUNTED(name, params, args)                              \
    CK_RV name params {                                          \
        const Decision decision_ = decide("C_" #name);           \
        if (decision_.inject != CKR_OK) return decision_.inject; \
        return real->C_##name args;                              \
    }

// The calls a session makes while the token is gone all fail the same way.
#define FAIL_WHEN_REMOVED(name, params, args)                    \
    CK_RV name params {                                          \
        const Decision decision_ = decide("C_" #name);           \
        if (decision_.inject != CKR_OK) return decision_.inject; \
        if (decision_.removed()) return CKR_DEVICE_REMOVED;      \
        return real->C_##name args;                              \
    }

COUNTED(GetInfo, (CK_INFO_PTR i), (i))
COUNTED(GetSlotInfo, (CK_SLOT_ID s, CK_SLOT_INFO_PTR i), (s, i))
bool hidden(const std::string& text, CK_MECHANISM_TYPE m) {
    for (const auto& v : valuesOf(text, "hide-mechanism"))
        if (std::strtoul(v.c_str(), nullptr, 16) == m) return true;
    return false;
}

CK_RV GetMechanismList(CK_SLOT_ID s, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR n) {
    const Decision d = decide("C_GetMechanismList");
    if (d.inject != CKR_OK) return d.inject;
    CK_ULONG total = 0;
    CK_RV rv = real->C_GetMechanismList(s, nullptr, &total);
    if (rv != CKR_OK) return rv;
    std::vector<CK_MECHANISM_TYPE> all(total);
    rv = real->C_GetMechanismList(s, all.data(), &total);
    if (rv != CKR_OK) return rv;
    all.resize(total);
    std::vector<CK_MECHANISM_TYPE> kept;
    for (auto m : all)
        if (!hidden(d.text, m)) kept.push_back(m);
    if (list == nullptr) {
        *n = kept.size();
        return CKR_OK;
    }
    if (*n < kept.size()) {
        *n = kept.size();
        return CKR_BUFFER_TOO_SMALL;
    }
    std::copy(kept.begin(), kept.end(), list);
    *n = kept.size();
    return CKR_OK;
}

CK_RV GetMechanismInfo(CK_SLOT_ID s, CK_MECHANISM_TYPE t, CK_MECHANISM_INFO_PTR i) {
    const Decision d = decide("C_GetMechanismInfo");
    if (d.inject != CKR_OK) return d.inject;
    if (hidden(d.text, t)) return CKR_MECHANISM_INVALID;
    return real->C_GetMechanismInfo(s, t, i);
}
// Closing always reaches the real module as well, so no session leaks behind an injected fault.
CK_RV CloseSession(CK_SESSION_HANDLE s) {
    const Decision d = decide("C_CloseSession");
    const CK_RV rv = real->C_CloseSession(s);
    return d.inject != CKR_OK ? d.inject : rv;
}
COUNTED(CloseAllSessions, (CK_SLOT_ID s), (s))
FAIL_WHEN_REMOVED(GetSessionInfo, (CK_SESSION_HANDLE s, CK_SESSION_INFO_PTR i), (s, i))
FAIL_WHEN_REMOVED(Logout, (CK_SESSION_HANDLE s), (s))
FAIL_WHEN_REMOVED(FindObjectsInit, (CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG n), (s, t, n))
FAIL_WHEN_REMOVED(FindObjects,
                  (CK_SESSION_HANDLE s, CK_OBJECT_HANDLE_PTR o, CK_ULONG max, CK_ULONG_PTR n),
                  (s, o, max, n))
FAIL_WHEN_REMOVED(FindObjectsFinal, (CK_SESSION_HANDLE s), (s))
CK_RV GetAttributeValue(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n) {
    const Decision d = decide("C_GetAttributeValue");
    if (d.inject != CKR_OK) return d.inject;
    if (d.removed()) return CKR_DEVICE_REMOVED;
    const CK_RV rv = real->C_GetAttributeValue(s, o, t, n);
    if (has(d.text, "no-access-flags")) {
        // As the OpenSC/IsoApplet card of issue 11: the access flags read false, whatever
        // happened to the key.
        for (CK_ULONG i = 0; i < n; ++i) {
            const auto type = t[i].type;
            if ((type == CKA_LOCAL || type == CKA_NEVER_EXTRACTABLE ||
                 type == CKA_ALWAYS_SENSITIVE) &&
                t[i].pValue != nullptr && t[i].ulValueLen == sizeof(CK_BBOOL))
                *static_cast<CK_BBOOL*>(t[i].pValue) = CK_FALSE;
        }
    }
    return rv;
}
FAIL_WHEN_REMOVED(SetAttributeValue,
                  (CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n),
                  (s, o, t, n))
CK_RV SignInit(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k) {
    const Decision d = decide("C_SignInit");
    if (d.inject != CKR_OK) return d.inject;
    if (d.removed()) return CKR_DEVICE_REMOVED;
    if (m != nullptr && hidden(d.text, m->mechanism)) return CKR_MECHANISM_INVALID;
    if (m != nullptr && has(d.text, "trace")) {
        char line[64];
        std::snprintf(line, sizeof line, "sign mechanism=0x%lx",
                      static_cast<unsigned long>(m->mechanism));
        log(line);
    }
    return real->C_SignInit(s, m, k);
}
FAIL_WHEN_REMOVED(Sign,
                  (CK_SESSION_HANDLE s, CK_BYTE_PTR d, CK_ULONG n, CK_BYTE_PTR sig,
                   CK_ULONG_PTR len),
                  (s, d, n, sig, len))
FAIL_WHEN_REMOVED(SignUpdate, (CK_SESSION_HANDLE s, CK_BYTE_PTR d, CK_ULONG n), (s, d, n))
FAIL_WHEN_REMOVED(SignFinal, (CK_SESSION_HANDLE s, CK_BYTE_PTR sig, CK_ULONG_PTR len),
                  (s, sig, len))
FAIL_WHEN_REMOVED(DigestInit, (CK_SESSION_HANDLE s, CK_MECHANISM_PTR m), (s, m))
FAIL_WHEN_REMOVED(Digest,
                  (CK_SESSION_HANDLE s, CK_BYTE_PTR d, CK_ULONG n, CK_BYTE_PTR out,
                   CK_ULONG_PTR len),
                  (s, d, n, out, len))
CK_RV GenerateKeyPair(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pt, CK_ULONG pn,
                      CK_ATTRIBUTE_PTR kt, CK_ULONG kn, CK_OBJECT_HANDLE_PTR ph,
                      CK_OBJECT_HANDLE_PTR kh) {
    const Decision d = decide("C_GenerateKeyPair");
    if (d.inject != CKR_OK) return d.inject;
    if (d.removed()) return CKR_DEVICE_REMOVED;
    if (m != nullptr && hidden(d.text, m->mechanism)) return CKR_MECHANISM_INVALID;
    if (has(d.text, "strict-public-template"))
        for (CK_ULONG i = 0; i < pn; ++i)
            if (pt[i].type == CKA_VERIFY || pt[i].type == CKA_ENCRYPT || pt[i].type == CKA_WRAP) {
                log("strict-public-template refused attribute 0x" + std::to_string(pt[i].type));
                return CKR_GENERAL_ERROR;
            }
    return real->C_GenerateKeyPair(s, m, pt, pn, kt, kn, ph, kh);
}
FAIL_WHEN_REMOVED(GenerateRandom, (CK_SESSION_HANDLE s, CK_BYTE_PTR d, CK_ULONG n), (s, d, n))
FAIL_WHEN_REMOVED(SeedRandom, (CK_SESSION_HANDLE s, CK_BYTE_PTR d, CK_ULONG n), (s, d, n))
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
    wrapped.C_Initialize = Initialize;
    wrapped.C_WaitForSlotEvent = WaitForSlotEvent;
    wrapped.C_GetInfo = GetInfo;
    wrapped.C_GetSlotList = GetSlotList;
    wrapped.C_GetSlotInfo = GetSlotInfo;
    wrapped.C_GetTokenInfo = GetTokenInfo;
    wrapped.C_GetMechanismList = GetMechanismList;
    wrapped.C_GetMechanismInfo = GetMechanismInfo;
    wrapped.C_OpenSession = OpenSession;
    wrapped.C_CloseSession = CloseSession;
    wrapped.C_CloseAllSessions = CloseAllSessions;
    wrapped.C_GetSessionInfo = GetSessionInfo;
    wrapped.C_Login = Login;
    wrapped.C_Logout = Logout;
    wrapped.C_FindObjectsInit = FindObjectsInit;
    wrapped.C_FindObjects = FindObjects;
    wrapped.C_FindObjectsFinal = FindObjectsFinal;
    wrapped.C_GetAttributeValue = GetAttributeValue;
    wrapped.C_SetAttributeValue = SetAttributeValue;
    wrapped.C_SignInit = SignInit;
    wrapped.C_Sign = Sign;
    wrapped.C_SignUpdate = SignUpdate;
    wrapped.C_SignFinal = SignFinal;
    wrapped.C_DigestInit = DigestInit;
    wrapped.C_Digest = Digest;
    wrapped.C_GenerateKeyPair = GenerateKeyPair;
    wrapped.C_GenerateRandom = GenerateRandom;
    wrapped.C_SeedRandom = SeedRandom;
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
