#include "firmante/pkcs11/Call.h"

#include <cstdio>

#include "firmante/pkcs11/Error.h"

namespace firmante::pkcs11 {

namespace {

struct RvInfo {
    CK_RV rv;
    const char* name;
    Reason reason;
};

// The return values a token realistically gives, each with the reason a person or a portal can act
// on. Anything else is INTERNAL, still named in the message.
constexpr RvInfo kRvs[] = {
    {CKR_OK, "CKR_OK", Reason::Internal},
    {CKR_CANCEL, "CKR_CANCEL", Reason::UserCancelled},
    {CKR_HOST_MEMORY, "CKR_HOST_MEMORY", Reason::Internal},
    {CKR_SLOT_ID_INVALID, "CKR_SLOT_ID_INVALID", Reason::TokenNotPresent},
    {CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR", Reason::Internal},
    {CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED", Reason::Internal},
    {CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD", Reason::InvalidParams},
    {CKR_ATTRIBUTE_SENSITIVE, "CKR_ATTRIBUTE_SENSITIVE", Reason::Internal},
    {CKR_ATTRIBUTE_TYPE_INVALID, "CKR_ATTRIBUTE_TYPE_INVALID", Reason::Internal},
    {CKR_ATTRIBUTE_VALUE_INVALID, "CKR_ATTRIBUTE_VALUE_INVALID", Reason::InvalidParams},
    {CKR_DATA_LEN_RANGE, "CKR_DATA_LEN_RANGE", Reason::TooLarge},
    {CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR", Reason::Internal},
    {CKR_DEVICE_MEMORY, "CKR_DEVICE_MEMORY", Reason::Internal},
    {CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED", Reason::TokenRemoved},
    {CKR_FUNCTION_CANCELED, "CKR_FUNCTION_CANCELED", Reason::UserCancelled},
    {CKR_FUNCTION_NOT_SUPPORTED, "CKR_FUNCTION_NOT_SUPPORTED", Reason::MechanismInvalid},
    {CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID", Reason::KeyNotFound},
    {CKR_KEY_TYPE_INCONSISTENT, "CKR_KEY_TYPE_INCONSISTENT", Reason::MechanismInvalid},
    {CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID", Reason::MechanismInvalid},
    {CKR_MECHANISM_PARAM_INVALID, "CKR_MECHANISM_PARAM_INVALID", Reason::MechanismInvalid},
    {CKR_OBJECT_HANDLE_INVALID, "CKR_OBJECT_HANDLE_INVALID", Reason::KeyNotFound},
    {CKR_OPERATION_ACTIVE, "CKR_OPERATION_ACTIVE", Reason::Busy},
    {CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT", Reason::PinIncorrect},
    {CKR_PIN_INVALID, "CKR_PIN_INVALID", Reason::PinIncorrect},
    {CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE", Reason::PinIncorrect},
    {CKR_PIN_EXPIRED, "CKR_PIN_EXPIRED", Reason::PinLocked},
    {CKR_PIN_LOCKED, "CKR_PIN_LOCKED", Reason::PinLocked},
    {CKR_SESSION_CLOSED, "CKR_SESSION_CLOSED", Reason::TokenRemoved},
    {CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID", Reason::TokenRemoved},
    {CKR_SESSION_READ_ONLY, "CKR_SESSION_READ_ONLY", Reason::Internal},
    {CKR_SIGNATURE_INVALID, "CKR_SIGNATURE_INVALID", Reason::SignatureInvalid},
    {CKR_TEMPLATE_INCOMPLETE, "CKR_TEMPLATE_INCOMPLETE", Reason::Internal},
    {CKR_TEMPLATE_INCONSISTENT, "CKR_TEMPLATE_INCONSISTENT", Reason::Internal},
    {CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT", Reason::TokenNotPresent},
    {CKR_TOKEN_NOT_RECOGNIZED, "CKR_TOKEN_NOT_RECOGNIZED", Reason::TokenNotPresent},
    {CKR_TOKEN_WRITE_PROTECTED, "CKR_TOKEN_WRITE_PROTECTED", Reason::Internal},
    {CKR_USER_ALREADY_LOGGED_IN, "CKR_USER_ALREADY_LOGGED_IN", Reason::Internal},
    {CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN", Reason::NotLoggedIn},
    {CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED", Reason::PinLocked},
    {CKR_USER_TYPE_INVALID, "CKR_USER_TYPE_INVALID", Reason::Internal},
    {CKR_BUFFER_TOO_SMALL, "CKR_BUFFER_TOO_SMALL", Reason::Internal},
    {CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED", Reason::Internal},
    {CKR_CRYPTOKI_ALREADY_INITIALIZED, "CKR_CRYPTOKI_ALREADY_INITIALIZED", Reason::Internal},
    {CKR_DOMAIN_PARAMS_INVALID, "CKR_DOMAIN_PARAMS_INVALID", Reason::MechanismInvalid},
    {CKR_CURVE_NOT_SUPPORTED, "CKR_CURVE_NOT_SUPPORTED", Reason::MechanismInvalid},
    {CKR_KEY_SIZE_RANGE, "CKR_KEY_SIZE_RANGE", Reason::MechanismInvalid},
};

const RvInfo* find(CK_RV rv) {
    for (auto& i : kRvs)
        if (i.rv == rv) return &i;
    return nullptr;
}

}  // namespace

std::string rvName(CK_RV rv) {
    if (auto* i = find(rv)) return i->name;
    char buf[32];
    std::snprintf(buf, sizeof buf, "CKR_0x%08lx", static_cast<unsigned long>(rv));
    return buf;
}

void check(CK_RV rv, const char* function) {
    if (rv == CKR_OK) return;
    auto* i = find(rv);
    Reason reason = i ? i->reason : Reason::Internal;
    throw Error(reason, std::string(function) + " failed: " + rvName(rv), function, rv);
}

}  // namespace firmante::pkcs11
