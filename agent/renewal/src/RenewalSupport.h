#pragma once

// What every renewal step shares: limits, the parameter checks that come before any prompt, and
// the one-unlock-one-operation guard (StepContext.h holds the checks on the renewal itself).
// Internal to agent/renewal.

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Token.h"
#include "firmante/renewal/Authorizer.h"

#ifdef FIRMANTE_RENEWAL_HAVE_SPDLOG
#include <spdlog/spdlog.h>
// The agent may register a "renewal" logger (file, stderr); otherwise the default one is used.
#define RENEWAL_LOG_INFO(...)                                                          \
    do {                                                                               \
        auto renewalLogger_ = spdlog::get("renewal");                                  \
        SPDLOG_LOGGER_INFO(renewalLogger_ ? renewalLogger_ : spdlog::default_logger(), \
                           __VA_ARGS__);                                               \
    } while (false)
#else
#define RENEWAL_LOG_INFO(...) ((void)0)
#endif

namespace firmante::renewal::support {

inline constexpr std::size_t kMinNonce = 16;
inline constexpr std::size_t kMaxNonce = 256;
inline constexpr std::size_t kMaxCertificateBytes = 64u * 1024u;
inline constexpr std::size_t kMaxChain = 8;
inline constexpr std::size_t kMaxFileName = 255;
inline constexpr std::size_t kMaxOrigin = 2048;

std::string upper(std::string s);
std::string lower(std::string s);
/// "03 82 01 0f 00 30 82 01 … 02 03 01 00 01": enough of the key for a person to compare.
std::string abbreviateHex(const std::string& spaced);

/// However the operation ends, the Authorizer decides what happens to the login: logged out,
/// unless its policy keeps the token unlocked for this renewal's next steps (issue 12 §3), so no
/// other request can ride on this PIN entry.
class ReleaseGuard {
  public:
    ReleaseGuard(Authorizer& authorizer, pkcs11::Token& token)
        : authorizer_(authorizer), token_(token) {}
    ~ReleaseGuard() { authorizer_.release(token_); }
    ReleaseGuard(const ReleaseGuard&) = delete;
    ReleaseGuard& operator=(const ReleaseGuard&) = delete;

  private:
    Authorizer& authorizer_;
    pkcs11::Token& token_;
};

/// provenanceConfirmed read back from views::keyAttributesJson (or an older journal without it).
bool provenanceConfirmedIn(const nlohmann::json& attributes);
/// InvalidParams for an empty or oversized origin.
void checkOrigin(const std::string& origin);
/// InvalidParams for a file name too long or with control characters.
void checkFileName(const std::string& fileName);

}  // namespace firmante::renewal::support

namespace firmante::renewal {

// The names every step of the renewal uses (RenewalManager.cpp, RenewalLetters.cpp,
// RenewalInstall.cpp, RenewalFinish.cpp); an internal header, never installed.
using json = nlohmann::json;
using pkcs11::Bytes;
using pkcs11::Error;
using pkcs11::Reason;
using namespace support;

}  // namespace firmante::renewal
