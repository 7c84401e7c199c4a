#include "firmante/pkcs11/Error.h"

#include <utility>

#include <openssl/err.h>

namespace firmante::pkcs11 {

Error::Error(Reason reason, const std::string& message, std::string function, unsigned long rv)
    : std::runtime_error(message), reason_(reason), function_(std::move(function)), rv_(rv) {}

void throwOpenSsl(Reason reason, const std::string& context) {
    std::string message = context;
    unsigned long code;
    const char* file = nullptr;
    int line = 0;
    bool first = true;
    while ((code = ERR_get_error_all(&file, &line, nullptr, nullptr, nullptr)) != 0) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        message += first ? ": " : "; ";
        message += buf;
        first = false;
    }
    throw Error(reason, message, "OpenSSL");
}

}  // namespace firmante::pkcs11
