#include "Base64.h"

#include <openssl/rand.h>

#include "firmante/pkcs11/Base64.h"
#include "firmante/pkcs11/Error.h"

namespace firmante::renewal {

using pkcs11::Error;
using pkcs11::Reason;

std::string base64Encode(std::span<const unsigned char> bytes) {
    return pkcs11::base64Encode(bytes);
}

pkcs11::Bytes base64Decode(const std::string& text) {
    auto bytes = pkcs11::base64Decode(text);
    if (!bytes) throw Error(Reason::InvalidParams, "base64 inválido");
    return std::move(*bytes);
}

std::string randomUrlSafeId(std::size_t bytes) {
    pkcs11::Bytes raw(bytes);
    if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
        pkcs11::throwOpenSsl(Reason::Internal, "RAND_bytes");
    std::string id = base64Encode(raw);
    while (!id.empty() && id.back() == '=') id.pop_back();
    for (char& c : id) {
        if (c == '+') c = '-';
        if (c == '/') c = '_';
    }
    return id;
}

}  // namespace firmante::renewal
