#include "firmante/pkcs11/Types.h"

#include "firmante/pkcs11/Error.h"

namespace firmante::pkcs11 {

Uri TokenInfo::uri() const {
    Uri u;
    u.token = label;
    u.manufacturer = manufacturer;
    u.model = model;
    u.serial = serial;
    return u;
}

std::string_view keyTypeName(KeyType type) noexcept {
    switch (type) {
        case KeyType::Rsa2048:
            return "rsa-2048";
        case KeyType::Rsa3072:
            return "rsa-3072";
        case KeyType::Rsa4096:
            return "rsa-4096";
        case KeyType::EcP256:
            return "ec-p256";
        case KeyType::EcP384:
            return "ec-p384";
    }
    return "rsa-2048";
}

KeyType parseKeyType(std::string_view name) {
    for (KeyType t :
         {KeyType::Rsa2048, KeyType::Rsa3072, KeyType::Rsa4096, KeyType::EcP256, KeyType::EcP384})
        if (keyTypeName(t) == name) return t;
    throw Error(Reason::InvalidParams, "unknown key type \"" + std::string(name) +
                                           "\" (use rsa-2048, rsa-3072, rsa-4096, ec-p256 or "
                                           "ec-p384)");
}

}  // namespace firmante::pkcs11
