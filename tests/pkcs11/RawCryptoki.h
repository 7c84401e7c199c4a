#pragma once

// Plain Cryptoki calls for tests that check what the token holds without the library's own
// Session and attribute readers: what the module returns is what is asserted.

#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <vector>

#include <p11-kit/pkcs11.h>

namespace firmante::testing {

class RawCryptoki {
  public:
    using Bytes = std::vector<unsigned char>;

    RawCryptoki(CK_FUNCTION_LIST* api, CK_SLOT_ID slot) : api_(api) {
        EXPECT_EQ(api_->C_OpenSession(slot, CKF_SERIAL_SESSION, nullptr, nullptr, &session_),
                  CKR_OK);
    }
    ~RawCryptoki() { api_->C_CloseSession(session_); }
    RawCryptoki(const RawCryptoki&) = delete;
    RawCryptoki& operator=(const RawCryptoki&) = delete;

    /// The one object of `cls` with this CKA_ID, CK_INVALID_HANDLE when there is not exactly one.
    CK_OBJECT_HANDLE find(CK_OBJECT_CLASS cls, const Bytes& id) {
        CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof cls},
                               {CKA_ID, const_cast<unsigned char*>(id.data()), id.size()}};
        CK_OBJECT_HANDLE found[2];
        CK_ULONG n = 0;
        if (api_->C_FindObjectsInit(session_, tmpl, 2) != CKR_OK) return CK_INVALID_HANDLE;
        api_->C_FindObjects(session_, found, 2, &n);
        api_->C_FindObjectsFinal(session_);
        return n == 1 ? found[0] : CK_INVALID_HANDLE;
    }

    /// C_GetAttributeValue's two calls; nullopt when the module does not give the attribute.
    std::optional<Bytes> attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
        CK_ATTRIBUTE a{type, nullptr, 0};
        if (api_->C_GetAttributeValue(session_, object, &a, 1) != CKR_OK ||
            a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
            return std::nullopt;
        Bytes value(a.ulValueLen);
        a.pValue = value.data();
        if (api_->C_GetAttributeValue(session_, object, &a, 1) != CKR_OK) return std::nullopt;
        value.resize(a.ulValueLen);
        return value;
    }

    /// A CK_BBOOL attribute; nullopt when absent, so that "false" is never a default.
    std::optional<bool> flag(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
        auto v = attribute(object, type);
        if (!v || v->size() != sizeof(CK_BBOOL)) return std::nullopt;
        return (*v)[0] != CK_FALSE;
    }

    std::optional<CK_ULONG> number(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
        auto v = attribute(object, type);
        if (!v || v->size() != sizeof(CK_ULONG)) return std::nullopt;
        CK_ULONG out;
        std::memcpy(&out, v->data(), sizeof out);
        return out;
    }

    /// C_SignInit + C_Sign with `mechanism`; the return value of the first call that fails.
    CK_RV sign(CK_OBJECT_HANDLE key, CK_MECHANISM_TYPE mechanism, const Bytes& data,
               Bytes& signature) {
        CK_MECHANISM m{mechanism, nullptr, 0};
        if (CK_RV rv = api_->C_SignInit(session_, &m, key); rv != CKR_OK) return rv;
        signature.assign(1024, 0);
        CK_ULONG len = signature.size();
        CK_RV rv = api_->C_Sign(session_, const_cast<unsigned char*>(data.data()), data.size(),
                                signature.data(), &len);
        signature.resize(rv == CKR_OK ? len : 0);
        return rv;
    }

  private:
    CK_FUNCTION_LIST* api_;
    CK_SESSION_HANDLE session_ = CK_INVALID_HANDLE;
};

}  // namespace firmante::testing
