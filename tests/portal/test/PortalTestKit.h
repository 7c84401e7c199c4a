#pragma once
// Software-key helpers that play the token's part in portal tests.

#include "firmante/portal/Codec.h"
#include "firmante/portal/OpenSslHandles.h"
#include "firmante/portal/Portal.h"
#include "firmante/testing/TempDir.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace firmante::portal::test {

EvpPkeyPtr makeRsaKey(unsigned bits = 2048);
EvpPkeyPtr makeEcKey(const char* curve = "P-256");
/// PEM PKCS#10 request for `key`'s public key, signed by `signer` (normally the same key).
std::string makeCsrPem(EVP_PKEY* key, X509_NAME* subject, EVP_PKEY* signer = nullptr);
/// The origin-bound signature of the conventions (RS256 / ES256).
Bytes signOriginBound(EVP_PKEY* key, const std::string& origin, const Bytes& nonce);
std::string algorithmFor(EVP_PKEY* key);
/// Detached DER CMS over `content`, SHA-256, signer certificate included;
/// with `cades` the signing-certificate-v2 attribute is added too.
Bytes cmsSign(X509* cert, EVP_PKEY* key, const Bytes& content, bool cades = true);
/// All text poppler extracts from a PDF, pages joined with newlines.
std::string pdfText(const Bytes& pdf);

using firmante::testing::TempDir;

/// Calls a Portal in-process as a browser at `host` would, carrying the session token.
class PortalClient {
  public:
    PortalClient(Portal& portal, std::string host = "127.0.0.1:8443")
        : portal_(portal), host_(std::move(host)) {}

    std::string origin() const { return "http://" + host_; }
    std::string session;

    PortalResponse get(const std::string& target);
    PortalResponse post(const std::string& target, const nlohmann::json& body);
    PortalResponse postRaw(const std::string& target, const std::string& body);
    /// Parses the response body as JSON.
    static nlohmann::json json(const PortalResponse& r);
    /// The error code of a refusal ("" when the response is not an error).
    static std::string errorCode(const PortalResponse& r);

  private:
    Portal& portal_;
    std::string host_;
};

}  // namespace firmante::portal::test
