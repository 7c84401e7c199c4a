#include "firmante/pkcs11/Secret.h"

#include <unistd.h>

#include <cerrno>

#include <openssl/crypto.h>

#include "firmante/pkcs11/Error.h"

namespace firmante::pkcs11 {

void secureWipe(void* p, std::size_t n) noexcept {
    if (p != nullptr && n != 0) OPENSSL_cleanse(p, n);
}

void Secret::assign(std::string_view text) {
    clear();
    bytes_.reserve(text.size() + 1);
    bytes_.assign(text.begin(), text.end());
}

void Secret::clear() noexcept {
    secureWipe(bytes_.data(), bytes_.capacity());
    bytes_.clear();
}

const char* Secret::c_str() {
    // Reserve first so push_back below never reallocates into an unwiped copy.
    bytes_.reserve(bytes_.size() + 1);
    bytes_.push_back('\0');
    bytes_.pop_back();
    return bytes_.data();
}

Secret readSecretFromFd(int fd) {
    constexpr std::size_t kMax = 1024;  // no PIN or password is longer; stops a runaway pipe
    Secret secret;
    for (;;) {
        char c;
        ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            throw Error(Reason::InvalidParams,
                        "cannot read the secret from descriptor " + std::to_string(fd));
        if (n == 0 || c == '\n') break;
        if (c == '\r') continue;
        if (secret.size() >= kMax) throw Error(Reason::TooLarge, "secret longer than 1024 bytes");
        secret.push_back(c);
        c = 0;
    }
    if (secret.empty())
        throw Error(Reason::InvalidParams, "no secret on descriptor " + std::to_string(fd));
    return secret;
}

}  // namespace firmante::pkcs11
