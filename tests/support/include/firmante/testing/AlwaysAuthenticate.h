#pragma once
// Header-only: for test targets that link firmante::pkcs11.

#include <stdexcept>
#include <string>
#include <vector>

#include "firmante/pkcs11/Token.h"

namespace firmante::testing {

/// Generates a key pair whose private half has CKA_ALWAYS_AUTHENTICATE, as a qualified-signature
/// card holds it: SoftHSM then refuses C_Sign (CKR_USER_NOT_LOGGED_IN) unless the PIN is given
/// again as a context-specific login after C_SignInit. SoftHSM accepts the attribute only at
/// creation (C_SetAttributeValue: CKR_ATTRIBUTE_READ_ONLY), so the pair is made here with a raw
/// C_GenerateKeyPair (RSA-2048 or EC P-256), CKA_ID `id`. `token` must be logged in. Returns the
/// key as Token::keys() reads it.
inline pkcs11::KeyInfo generateAlwaysAuthenticateKey(pkcs11::Token& token, const std::string& label,
                                                     bool ec, std::vector<unsigned char> id) {
    auto& session = token.session();
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ULONG bits = 2048;
    unsigned char exponent[] = {1, 0, 1};
    unsigned char p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
    auto* text = reinterpret_cast<unsigned char*>(const_cast<char*>(label.data()));
    std::vector<CK_ATTRIBUTE> pub{{CKA_TOKEN, &yes, sizeof yes},
                                  {CKA_PRIVATE, &no, sizeof no},
                                  {CKA_VERIFY, &yes, sizeof yes},
                                  {CKA_LABEL, text, label.size()},
                                  {CKA_ID, id.data(), id.size()}};
    if (ec) {
        pub.push_back({CKA_EC_PARAMS, p256, sizeof p256});
    } else {
        pub.push_back({CKA_MODULUS_BITS, &bits, sizeof bits});
        pub.push_back({CKA_PUBLIC_EXPONENT, exponent, sizeof exponent});
    }
    std::vector<CK_ATTRIBUTE> priv{
        {CKA_TOKEN, &yes, sizeof yes},     {CKA_PRIVATE, &yes, sizeof yes},
        {CKA_SENSITIVE, &yes, sizeof yes}, {CKA_EXTRACTABLE, &no, sizeof no},
        {CKA_SIGN, &yes, sizeof yes},      {CKA_ALWAYS_AUTHENTICATE, &yes, sizeof yes},
        {CKA_LABEL, text, label.size()},   {CKA_ID, id.data(), id.size()}};
    CK_MECHANISM mechanism{ec ? CKM_EC_KEY_PAIR_GEN : CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
    CK_OBJECT_HANDLE hPub = 0, hPriv = 0;
    CK_RV rv =
        session.api()->C_GenerateKeyPair(session.handle(), &mechanism, pub.data(), pub.size(),
                                         priv.data(), priv.size(), &hPub, &hPriv);
    if (rv != CKR_OK) throw std::runtime_error("C_GenerateKeyPair rv=" + std::to_string(rv));
    for (auto& key : token.keys())
        if (key.label == label) return key;
    throw std::runtime_error("the generated key is not listed");
}

}  // namespace firmante::testing
