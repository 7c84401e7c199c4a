#include "Base64.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "firmante/pkcs11/Error.h"

namespace firmante::renewal {

using pkcs11::Error;
using pkcs11::Reason;

std::string base64Encode(std::span<const unsigned char> bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

pkcs11::Bytes base64Decode(const std::string& text) {
    if (text.size() % 4 != 0) throw Error(Reason::InvalidParams, "base64 inválido");
    pkcs11::Bytes out(text.size() / 4 * 3 + 1);
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0) throw Error(Reason::InvalidParams, "base64 inválido");
    // EVP_DecodeBlock keeps the padding's zero bytes: drop one per '='.
    std::size_t size = static_cast<std::size_t>(n);
    for (auto it = text.rbegin(); it != text.rend() && *it == '=' && size > 0; ++it) --size;
    out.resize(size);
    return out;
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
