#pragma once

#include <string>

#include <p11-kit/pkcs11.h>

namespace firmante::pkcs11 {

/// The CKR_ name of a return value ("CKR_PIN_INCORRECT"), or its hex value when unknown.
std::string rvName(CK_RV rv);

/// The one checked-call path: throws Error with the function name, the CKR_ name and the reason
/// word mapped from `rv` when it is not CKR_OK.
void check(CK_RV rv, const char* function);

}  // namespace firmante::pkcs11

/// FIRMANTE_CK(api, C_Login, session, CKU_USER, pin, len) calls api->C_Login(...) and throws a
/// typed Error naming "C_Login" when it fails.
#define FIRMANTE_CK(api, fn, ...) ::firmante::pkcs11::check((api)->fn(__VA_ARGS__), #fn)
