#include "firmante/pkcs11/Types.h"

namespace firmante::pkcs11 {

Uri TokenInfo::uri() const {
    Uri u;
    u.token = label;
    u.manufacturer = manufacturer;
    u.model = model;
    u.serial = serial;
    return u;
}

}  // namespace firmante::pkcs11
