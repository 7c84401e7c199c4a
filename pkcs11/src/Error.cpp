#include "firmante/pkcs11/Error.h"

#include <array>
#include <utility>

#include <openssl/err.h>

namespace firmante::pkcs11 {

namespace {
constexpr std::array<std::pair<Reason, std::string_view>, 29> kWords{{
    {Reason::ParseError, "PARSE_ERROR"},
    {Reason::InvalidRequest, "INVALID_REQUEST"},
    {Reason::MethodNotFound, "METHOD_NOT_FOUND"},
    {Reason::InvalidParams, "INVALID_PARAMS"},
    {Reason::TooLarge, "TOO_LARGE"},
    {Reason::UserCancelled, "USER_CANCELLED"},
    {Reason::PinIncorrect, "PIN_INCORRECT"},
    {Reason::PinLocked, "PIN_LOCKED"},
    {Reason::TokenNotPresent, "TOKEN_NOT_PRESENT"},
    {Reason::TokenRemoved, "TOKEN_REMOVED"},
    {Reason::KeyNotFound, "KEY_NOT_FOUND"},
    {Reason::CertificateNotFound, "CERTIFICATE_NOT_FOUND"},
    {Reason::CertificateMismatch, "CERTIFICATE_MISMATCH"},
    {Reason::CertificateUntrusted, "CERTIFICATE_UNTRUSTED"},
    {Reason::OriginNotAllowed, "ORIGIN_NOT_ALLOWED"},
    {Reason::LetterMismatch, "LETTER_MISMATCH"},
    {Reason::RenewalState, "RENEWAL_STATE"},
    {Reason::Busy, "BUSY"},
    {Reason::Timeout, "TIMEOUT"},
    {Reason::Internal, "INTERNAL"},
    {Reason::ModuleNotFound, "MODULE_NOT_FOUND"},
    {Reason::PasswordIncorrect, "PASSWORD_INCORRECT"},
    {Reason::SignatureInvalid, "SIGNATURE_INVALID"},
    {Reason::NotLoggedIn, "NOT_LOGGED_IN"},
    {Reason::MechanismInvalid, "MECHANISM_INVALID"},
    {Reason::KeyTypeUnsupported, "KEY_TYPE_UNSUPPORTED"},
    {Reason::KeyProvenanceUnconfirmed, "KEY_PROVENANCE_UNCONFIRMED"},
    {Reason::NativeUnavailable, "NATIVE_UNAVAILABLE"},
    {Reason::VersionMismatch, "VERSION_MISMATCH"},
}};
}  // namespace

std::string_view reasonWord(Reason reason) noexcept {
    for (auto& [r, w] : kWords)
        if (r == reason) return w;
    return "INTERNAL";
}

std::optional<Reason> reasonFromWord(std::string_view word) noexcept {
    for (auto& [r, w] : kWords)
        if (w == word) return r;
    return std::nullopt;
}

bool isRetriable(Reason reason) noexcept {
    switch (reason) {
        case Reason::PinIncorrect:
        case Reason::TokenNotPresent:
        case Reason::TokenRemoved:
        case Reason::UserCancelled:
        case Reason::Busy:
        case Reason::Timeout:
        case Reason::NotLoggedIn:
        case Reason::PasswordIncorrect:
            return true;
        default:
            return false;
    }
}

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
