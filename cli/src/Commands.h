#pragma once

#include <memory>

#include <nlohmann/json.hpp>

#include "AgentClient.h"
#include "Arguments.h"
#include "firmante/pkcs11/Token.h"

namespace firmante::cli {

// One function per verb. Each returns its --json document; the human view is rendered from that
// same document (HumanViews), so both outputs always carry the same facts. Token objects are
// destroyed before a function returns, so the module is torn down before anything is printed.

nlohmann::json runTokens(const Arguments& args);
nlohmann::json runCerts(const Arguments& args);
nlohmann::json runKeys(const Arguments& args);
nlohmann::json runKeygen(const Arguments& args);
nlohmann::json runCsr(const Arguments& args);
nlohmann::json runSign(const Arguments& args);
/// sign with several --in: one PIN for all (SignBatch.cpp).
nlohmann::json runSignBatch(const Arguments& args);
nlohmann::json runVerify(const Arguments& args);
nlohmann::json runImportCert(const Arguments& args);
nlohmann::json runImportPfx(const Arguments& args);
nlohmann::json runRenew(const Arguments& args);

/// As the agent's documents.sign: documents are signed only with a valid certificate, unless
/// the person says otherwise with --allow-expired (a renewal's first letter uses the expired
/// one); then a warning goes to stderr. Throws CliError(CERTIFICATE_EXPIRED).
void refuseExpiredUnlessAllowed(const Arguments& args, const pkcs11::CertificateInfo& cert);
/// The certificate's private key, after login (Token::keyOf). Throws CliError(KEY_NOT_FOUND)
/// naming the certificate.
pkcs11::KeyInfo keyOfOrRefuse(pkcs11::Token& token, const pkcs11::CertificateInfo& cert);

/// The agent connection for this run, or nullptr for the direct token path: no agent listens,
/// or the arguments ask for the token itself (--direct, --pin-fd, --module, --login,
/// --allow-expired).
std::unique_ptr<AgentClient> agentFor(const Arguments& args);
nlohmann::json tokensViaAgent(const Arguments& args, AgentClient& agent);
nlohmann::json certsViaAgent(const Arguments& args, AgentClient& agent);
nlohmann::json signViaAgent(const Arguments& args, AgentClient& agent);
/// {socket, version} of the agent, for every result that went through it.
nlohmann::json agentJson(const AgentClient& agent);

}  // namespace firmante::cli
