#pragma once

// What every renewal step shares: limits, journal-record accessors, the checks that come before
// any prompt, and the one-unlock-one-operation guard. Internal to agent/renewal.

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "RenewalStep.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Token.h"
#include "firmante/pkcs11/Types.h"
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

inline constexpr int kJournalVersion = 1;
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

/// The record's step. Throws RenewalState for an unknown one.
RenewalStep stateOf(const nlohmann::json& rec);
/// Moves the record to `step`, with its history entry.
void advance(nlohmann::json& rec, RenewalStep step);
/// RenewalState naming the call expected unless the record is in one of `allowed`.
void requireStep(const nlohmann::json& rec, std::initializer_list<RenewalStep> allowed,
                 std::string_view action);
/// OriginNotAllowed unless `origin` began the renewal.
void requireOrigin(const nlohmann::json& rec, const std::string& origin);
/// TokenNotPresent unless `token` is the one the renewal lives on.
void requireSameToken(pkcs11::Token& token, const nlohmann::json& rec);
const std::string& tokenLabelOf(const nlohmann::json& rec);
/// The key or certificate named in the journal; KeyNotFound / CertificateNotFound in words.
pkcs11::KeyInfo findKey(pkcs11::Token& token, const nlohmann::json& rec, const std::string& uri,
                        const std::string& what);
pkcs11::CertificateInfo findCertificate(pkcs11::Token& token, const nlohmann::json& rec,
                                        const std::string& uri, const std::string& what);

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

/// A step that deletes: the person confirms `what` (the safe button is the default), then the token
/// is unlocked for `operation`/`operationEn`, always through the Authorizer: a login kept for this
/// renewal serves without a PIN, one kept for another site's renewal must not delete anything.
/// Throws USER_CANCELLED when the person declines (nothing is deleted).
void confirmAndUnlock(Authorizer& authorizer, pkcs11::Token& token,
                      const OperationDescription& what, std::string operation,
                      std::string operationEn, const std::string& renewalId);

OperationDescription describe(const std::string& origin, std::string operation,
                              std::string operationEn, const std::string& tokenLabel,
                              const std::string& keyLabel);
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
