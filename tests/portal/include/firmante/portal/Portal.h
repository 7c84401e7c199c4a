#pragma once

#include "firmante/portal/CertificateAuthority.h"
#include "firmante/portal/CertificateRegistry.h"
#include "firmante/portal/HttpExchange.h"
#include "firmante/portal/Outbox.h"
#include "firmante/portal/RenewalSession.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace firmante::portal {

struct PortalOptions {
    std::filesystem::path stateDir;
    std::filesystem::path webDir;      ///< static pages; empty = pages not served
    std::filesystem::path pageApiDir;  ///< serves /firmante.js from here when set
    int certValidityDays = 730;
    std::chrono::seconds linkTtl{900};
    size_t maxSessions = 256;
    std::chrono::minutes sessionIdle{30};
    /// Injected so tests can expire links without sleeping.
    std::function<std::chrono::system_clock::time_point()> clock = [] {
        return std::chrono::system_clock::now();
    };
};

/// The reference IDSE portal's logic: sessions, the twelve-step state machine,
/// the JSON API under /api and the pages. Thread-safe (one mutex; every request is short).
class Portal {
  public:
    /// Opens (or creates) the CA, the registry and the outbox in `options.stateDir`.
    explicit Portal(PortalOptions options);

    /// Handles one request; never throws (errors become JSON error responses).
    PortalResponse handle(const PortalRequest& request) noexcept;

    const CertificateAuthority& ca() const noexcept { return ca_; }
    const Outbox& outbox() const noexcept { return outbox_; }

    /// Issues an employer certificate for the key of `csr` (whose signature is
    /// checked) with the demo employer's subject, valid [notBefore, notAfter].
    /// Throws std::runtime_error when the CSR is malformed or its signature is wrong.
    static X509Ptr issueEmployerCertificate(const CertificateAuthority& ca, X509_REQ* csr,
                                            std::chrono::system_clock::time_point notBefore,
                                            std::chrono::system_clock::time_point notAfter);

    /// Maximum request body (checked by the server before reading it).
    static constexpr size_t kMaxBody = 4 * 1024 * 1024;

  private:
    PortalResponse route(const PortalRequest& request);
    PortalResponse api(const PortalRequest& request, const std::string& path,
                       const std::string& query);
    PortalResponse page(const std::string& path);
    PortalResponse mailboxPage();

    RenewalSession& session(const PortalRequest& request);
    nlohmann::json parseBody(const PortalRequest& request);
    std::string originOf(const PortalRequest& request) const;

    nlohmann::json loginStart(RenewalSession& s, const std::string& origin);
    nlohmann::json loginFinish(RenewalSession& s, const nlohmann::json& body,
                               const std::string& origin);
    nlohmann::json updateData(RenewalSession& s, const nlohmann::json& body);
    nlohmann::json submitKey(RenewalSession& s, const nlohmann::json& body);
    PortalResponse acceptanceLetter(RenewalSession& s, bool asJson);
    nlohmann::json acceptanceSignature(RenewalSession& s, const nlohmann::json& body,
                                       const std::string& origin);
    nlohmann::json openLink(RenewalSession& s, const nlohmann::json& body,
                            const std::string& origin);
    nlohmann::json issueCertificate(RenewalSession& s, const nlohmann::json& body,
                                    const std::string& origin);
    PortalResponse termsLetter(RenewalSession& s, bool asJson);
    nlohmann::json termsSignature(RenewalSession& s, const nlohmann::json& body);

    void purgeSessions();

    PortalOptions options_;
    CertificateAuthority ca_;
    CertificateRegistry registry_;
    Outbox outbox_;
    std::mutex mutex_;
    std::map<std::string, std::unique_ptr<RenewalSession>> sessions_;
};

}  // namespace firmante::portal
