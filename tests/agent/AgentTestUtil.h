#pragma once

#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>

#include "firmante/agent/Base64.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/OpenSsl.h"

namespace firmante::agent::testing {

/// What the fake pinentry was shown, one JSON object per question, in order.
inline std::vector<nlohmann::json> promptsShown(const std::filesystem::path& log) {
    std::vector<nlohmann::json> out;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    return out;
}

/// documents.sign's parameters: `document` signed with the certificate `uri`, named `fileName`.
inline nlohmann::json signParams(const std::string& uri, std::span<const unsigned char> document,
                                 const std::string& fileName) {
    return {{"certificate", uri}, {"document", base64Encode(document)}, {"fileName", fileName}};
}
inline nlohmann::json signParams(const std::string& uri, std::string_view document,
                                 const std::string& fileName) {
    return signParams(
        uri, std::span(reinterpret_cast<const unsigned char*>(document.data()), document.size()),
        fileName);
}

/// auth.sign_challenge's parameters: `nonce` signed with the certificate `uri`'s key.
inline nlohmann::json challengeParams(const std::string& uri,
                                      std::span<const unsigned char> nonce) {
    return {{"certificate", uri}, {"nonce", base64Encode(nonce)}};
}

inline std::string reasonOf(const nlohmann::json& response) {
    if (!response.contains("error")) return "none: " + response.dump();
    return response["error"]["data"]["reason"].get<std::string>();
}

/// Independent check of an origin-bound challenge signature with plain OpenSSL EVP:
/// SHA-256(origin) ‖ SHA-256(nonce), signed with SHA-256 (conventions).
inline bool verifyOriginBound(std::span<const unsigned char> certificateDer,
                              const std::string& origin, std::span<const unsigned char> nonce,
                              std::span<const unsigned char> signature) {
    const unsigned char* p = certificateDer.data();
    pkcs11::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(certificateDer.size())));
    if (!cert) return false;
    EVP_PKEY* key = X509_get0_pubkey(cert.get());
    std::vector<unsigned char> message;
    const auto a = pkcs11::sha256(
        std::span(reinterpret_cast<const unsigned char*>(origin.data()), origin.size()));
    const auto b = pkcs11::sha256(nonce);
    message.insert(message.end(), a.begin(), a.end());
    message.insert(message.end(), b.begin(), b.end());
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                    EVP_DigestVerify(ctx, signature.data(), signature.size(), message.data(),
                                     message.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

}  // namespace firmante::agent::testing
