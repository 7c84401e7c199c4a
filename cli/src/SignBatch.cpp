// sign with several --in (issue 12 §4): one PIN for all of them — through the agent's
// documents.sign_batch (one prompt listing every file), or directly with one login.
#include <filesystem>
#include <iostream>
#include <set>

#include "AgentClient.h"
#include "CliError.h"
#include "Commands.h"
#include "Encoding.h"
#include "Messages.h"
#include "TokenSession.h"
#include "firmante/nm/Limits.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Cms.h"
#include "firmante/protocol/MethodTable.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::cli {

namespace {

// As the agent's limit (docs/protocol.md, documents.sign_batch).
constexpr std::size_t kMaxBatchFiles = 100;

struct BatchFile {
    std::string in;
    std::string out;
    std::string fileName;
    pkcs11::Bytes bytes;
};

// Every output is settled, and every input read, before the PIN is asked: a typo or a clash
// costs no PIN entry and writes nothing.
std::vector<BatchFile> batchFiles(const Arguments& args) {
    const auto inputs = args.values("in");
    if (args.value("out")) throw CliError(protocol::words::InvalidParams, tr("signBatch.noOut"));
    if (inputs.size() > kMaxBatchFiles)
        throw CliError(protocol::words::TooLarge,
                       tr("signBatch.tooMany", {std::to_string(kMaxBatchFiles)}));
    const auto outDir = args.value("out-dir");
    std::vector<BatchFile> files;
    std::set<std::string> outputs;
    for (const auto& in : inputs) {
        BatchFile f;
        f.in = in;
        f.fileName = std::filesystem::path(in).filename().string();
        const auto dir =
            outDir ? std::filesystem::path(*outDir) : std::filesystem::path(in).parent_path();
        f.out = (dir / (f.fileName + ".p7s")).string();
        if (!outputs.insert(std::filesystem::path(f.out).lexically_normal().string()).second)
            throw CliError(protocol::words::InvalidParams, tr("signBatch.sameOut", {f.out}));
        f.bytes = readInputFile(in);
        files.push_back(std::move(f));
    }
    return files;
}

nlohmann::json signedJson(const BatchFile& f, const std::string& sha256, std::size_t size) {
    return {{"in", f.in},
            {"out", f.out},
            {"fileName", f.fileName},
            {"documentSha256", sha256},
            {"size", size}};
}

nlohmann::json signBatchViaAgent(const Arguments& args, AgentClient& agent,
                                 const pkcs11::Uri& certUri, const std::vector<BatchFile>& files) {
    nlohmann::json documents = nlohmann::json::array();
    std::size_t encoded = 4096;
    for (const auto& f : files) {
        encoded += (f.bytes.size() + 2) / 3 * 4 + f.fileName.size() + 64;
        // The whole batch travels in one frame.
        if (encoded > nm::kDefaultFrameLimit)
            throw CliError(protocol::words::TooLarge, tr("agent.documentTooLarge", {f.in}));
        documents.push_back({{"document", base64(f.bytes)}, {"fileName", f.fileName}});
    }
    std::cerr << tr("agent.confirmThere") << std::endl;
    auto result = agent.call(protocol::methods::names::DocumentsSignBatch,
                             {{"certificate", certUri.str()}, {"documents", std::move(documents)}});
    const auto& results = result.value("results", nlohmann::json::array());
    if (!results.is_array() || results.size() != files.size())
        throw CliError(protocol::words::Internal, tr("agent.garbage", {agent.socketPath()}));
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t i = 0; i < files.size(); ++i) {
        auto cms = base64Decode(results[i].value("cms", std::string()));
        if (cms.empty())
            throw CliError(protocol::words::Internal, tr("agent.garbage", {agent.socketPath()}));
        writeOutputFile(files[i].out, cms);
        out.push_back(
            signedJson(files[i], results[i].value("documentSha256", std::string()), cms.size()));
    }
    (void)args;
    return {{"via", "agent"},
            {"agent", agentJson(agent)},
            {"signatures", std::move(out)},
            {"signer", result.value("signer", std::string())},
            {"certificate", certUri.str()}};
}

}  // namespace

nlohmann::json runSignBatch(const Arguments& args) {
    const auto certUri = pkcs11::Uri::parse(args.required("cert"));
    const auto files = batchFiles(args);
    if (auto agent = agentFor(args)) return signBatchViaAgent(args, *agent, certUri, files);

    std::vector<pkcs11::CmsSignature> signatures;
    pkcs11::CertificateInfo cert;
    {
        TokenSession session(args, certUri);
        cert = session.token().certificate(certUri, pkcs11::Token::Pairing::CertificateOnly);
        refuseExpiredUnlessAllowed(args, cert);
        std::string list;
        for (const auto& f : files) {
            list += "\n  " + shownFileName(f.fileName) + " (SHA-256 " +
                    pkcs11::toHex(pkcs11::sha256(f.bytes)) + ")";
        }
        session.login(
            tr("op.signBatch", {std::to_string(files.size()), shownSubject(cert.subject), list}));
        auto key = keyOfOrRefuse(session.token(), cert);
        auto x509 = pkcs11::decodeCertificate(cert.der);
        auto privateKey = session.token().privateKey(key);  // freed before the session
        for (const auto& f : files)
            signatures.push_back(pkcs11::signDetached(privateKey.get(), x509.get(), f.bytes));
    }
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t i = 0; i < files.size(); ++i) {
        writeOutputFile(files[i].out, signatures[i].der);
        out.push_back(signedJson(files[i], pkcs11::toHex(signatures[i].documentSha256),
                                 signatures[i].der.size()));
    }
    return {{"via", "direct"},
            {"signatures", std::move(out)},
            {"signer", signatures.empty() ? std::string() : signatures.front().signerSubject},
            {"certificate", cert.uri.str()}};
}

}  // namespace firmante::cli
