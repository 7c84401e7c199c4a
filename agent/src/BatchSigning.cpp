// documents.sign_batch (issue 12 §4): many documents, one prompt listing them all, one PIN.
#include <memory>
#include <vector>

#include "SigningKey.h"
#include "firmante/agent/Base64.h"
#include "firmante/agent/Methods.h"
#include "firmante/agent/ParamReader.h"
#include "firmante/agent/RpcError.h"
#include "firmante/agent/TokenDirectory.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Cms.h"
#include "firmante/protocol/ReasonEnums.h"
#include "firmante/renewal/LetterCheck.h"

namespace firmante::agent {

namespace {

struct BatchDocument {
    std::string fileName;
    pkcs11::Bytes bytes;
};

// Every limit is checked on the request as it came, before one byte is decoded: the count, each
// member's shape, and the decoded size of all documents together (from the base64 lengths).
std::vector<BatchDocument> readDocuments(const nlohmann::json& list, const Limits& limits) {
    if (!list.is_array() || list.empty()) {
        throw RpcError(protocol::words::InvalidParams,
                       "params.documents must be a non-empty list of "
                       "{document, fileName}");
    }
    if (list.size() > limits.maxBatchDocuments) {
        throw RpcError(protocol::words::TooLarge,
                       "params.documents holds " + std::to_string(list.size()) +
                           " documents; at most " + std::to_string(limits.maxBatchDocuments) +
                           " are signed in one batch");
    }
    std::size_t total = 0;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto& item = list[i];
        const std::string where = "params.documents[" + std::to_string(i) + "]";
        if (!item.is_object())
            throw RpcError(protocol::words::InvalidParams, where + " must be an object");
        const auto document = item.find("document");
        if (document == item.end() || !document->is_string()) {
            throw RpcError(protocol::words::InvalidParams,
                           where + ".document must be a base64 string");
        }
        total += base64DecodedSize(document->get_ref<const std::string&>());
        if (total > limits.maxBatchBytes) {
            throw RpcError(protocol::words::TooLarge, "the documents together are larger than " +
                                                          std::to_string(limits.maxBatchBytes) +
                                                          " bytes");
        }
    }
    std::vector<BatchDocument> out;
    out.reserve(list.size());
    for (const auto& item : list) {
        ParamReader p(item);
        p.allowOnly({"document", "fileName"});
        BatchDocument d;
        d.fileName = p.fileName("fileName");
        d.bytes = p.base64("document", 1, limits.maxDocumentBytes);
        out.push_back(std::move(d));
    }
    return out;
}

// Document `i` of a batch as a signature of its own: its name and SHA-256, "document 3 of 20".
renewal::OperationDescription oneOf(const renewal::OperationDescription& batch, std::size_t i) {
    renewal::OperationDescription one;
    one.origin = batch.origin;
    const auto number = std::to_string(i + 1) + " de " + std::to_string(batch.documents.size());
    one.operation = "Firmar el documento " + number;
    one.operationEn =
        "Sign document " + std::to_string(i + 1) + " of " + std::to_string(batch.documents.size());
    one.fileName = batch.documents[i].fileName;
    one.documentSha256Hex = batch.documents[i].sha256Hex;
    one.tokenLabel = batch.tokenLabel;
    one.keyLabel = batch.keyLabel;
    return one;
}

}  // namespace

void addBatchSigning(MethodTable& table, TokenDirectory& tokens, renewal::Authorizer& authorizer,
                     const Limits& limits) {
    table.add(protocol::methods::names::DocumentsSignBatch, [&tokens, &authorizer, &limits](
                                                                const RequestContext& context,
                                                                const nlohmann::json& params) {
        ParamReader p(params);
        p.allowOnly({"certificate", "documents"});
        const auto uri = p.uri("certificate");
        auto documents = std::make_shared<const std::vector<BatchDocument>>(
            readDocuments(p.raw("documents"), limits));
        return planOnToken(
            tokens.workerFor(uri), context.requestId,
            [&authorizer, uri, documents, context](pkcs11::Token& token) -> nlohmann::json {
                auto certificate = documentSigningCertificate(token, uri);
                renewal::OperationDescription what;
                what.origin = context.origin;
                what.operation = "Firmar " + std::to_string(documents->size()) + " documentos";
                what.operationEn = "Sign " + std::to_string(documents->size()) + " documents";
                std::vector<pkcs11::Bytes> digests;
                for (std::size_t i = 0; i < documents->size(); ++i) {
                    const auto& d = (*documents)[i];
                    // Issue 9 §1, as documents.sign: a renewal letter goes through its check.
                    if (renewal::carriesRenewalHeadings(d.bytes)) {
                        throw RpcError(protocol::words::LetterMismatch,
                                       "document " + std::to_string(i + 1) +
                                           " is a renewal letter; sign it with "
                                           "renewal.sign_letter, which checks its keys");
                    }
                    digests.push_back(pkcs11::sha256(d.bytes));
                    what.documents.push_back({d.fileName, pkcs11::toHex(digests.back())});
                }
                what.tokenLabel = token.info().label;
                what.keyLabel = keyLabelOf(certificate);
                authorizer.unlock(token, what);  // one prompt for the whole list
                const auto keyInfo = signingKeyInfo(token, certificate);
                const bool pinEachSignature = keyInfo.attributes.alwaysAuthenticate;
                auto key = token.privateKey(keyInfo);
                auto x509 = pkcs11::decodeCertificate(certificate.der);
                nlohmann::json results = nlohmann::json::array();
                for (std::size_t i = 0; i < documents->size(); ++i) {
                    const auto& d = (*documents)[i];
                    if (pinEachSignature) {
                        // The key asks the PIN before each signature (issue 11 §4): that prompt
                        // names the one document it signs, not the whole list again.
                        authorizer.nextSignatureShows(token, oneOf(what, i));
                        key = token.privateKey(keyInfo);
                    }
                    auto cms = pkcs11::signDetached(key.get(), x509.get(), d.bytes);
                    results.push_back({{"fileName", d.fileName},
                                       {"documentSha256", pkcs11::toHex(cms.documentSha256)},
                                       {"cms", base64Encode(cms.der)}});
                }
                return {{"results", std::move(results)},
                        {"signer", certificate.subject},
                        {"certificate", base64Encode(certificate.der)}};
            });
    });
}

}  // namespace firmante::agent
