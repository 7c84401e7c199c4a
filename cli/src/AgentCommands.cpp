// tokens, certs and sign through a running agent (DESIGN §2: "the CLI talks to the token directly
// when no agent runs, else through the agent"). The agent owns the token and asks for the PIN in
// its own UI; the CLI only relays.
#include <filesystem>
#include <iostream>

#include "AgentClient.h"
#include "CliError.h"
#include "Commands.h"
#include "Encoding.h"
#include "Messages.h"
#include "firmante/nm/Limits.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Uri.h"
#include "firmante/protocol/MethodTable.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::cli {

nlohmann::json agentJson(const AgentClient& agent) {
    return {{"socket", agent.socketPath()},
            {"version", agent.hello().value("agentVersion", std::string())}};
}

std::unique_ptr<AgentClient> agentFor(const Arguments& args) {
    // Anything that names how to reach the token (or hands us the PIN) means the direct path:
    // the agent has its own module and never accepts a PIN (DESIGN §3 rule 2).
    if (args.has("direct") || args.value("pin-fd") || args.value("module") || args.has("login") ||
        args.has("allow-expired"))
        return nullptr;
    return AgentClient::connect();
}

nlohmann::json tokensViaAgent(const Arguments&, AgentClient& agent) {
    auto result = agent.call(protocol::methods::names::TokensList, nlohmann::json::object());
    return {{"via", "agent"},
            {"agent", agentJson(agent)},
            {"tokens", result.value("tokens", nlohmann::json::array())}};
}

nlohmann::json certsViaAgent(const Arguments& args, AgentClient& agent) {
    nlohmann::json params = nlohmann::json::object();
    if (auto token = args.value("token")) params["token"] = *token;
    auto result = agent.call(protocol::methods::names::CertificatesList, params);
    return {{"via", "agent"},
            {"agent", agentJson(agent)},
            {"certificates", result.value("certificates", nlohmann::json::array())}};
}

nlohmann::json signViaAgent(const Arguments& args, AgentClient& agent) {
    auto certUri = pkcs11::Uri::parse(args.required("cert"));
    auto in = args.required("in");
    auto out = args.required("out");
    auto document = readInputFile(in);
    // The request carries the document in base64 (4/3 larger) inside one frame.
    if ((document.size() + 2) / 3 * 4 + 4096 > nm::kDefaultFrameLimit)
        throw CliError(protocol::words::TooLarge, tr("agent.documentTooLarge", {in}));
    auto fileName = std::filesystem::path(in).filename().string();
    std::cerr << tr("agent.confirmThere") << std::endl;
    auto result = agent.call(
        protocol::methods::names::DocumentsSign,
        {{"certificate", certUri.str()}, {"document", base64(document)}, {"fileName", fileName}});
    auto cms = base64Decode(result.value("cms", std::string()));
    if (cms.empty())
        throw CliError(protocol::words::Internal, tr("agent.garbage", {agent.socketPath()}));
    writeOutputFile(out, cms);
    return {
        {"via", "agent"},
        {"agent", agentJson(agent)},
        {"out", out},
        {"in", in},
        {"fileName", fileName},
        {"documentSha256", result.value("documentSha256", pkcs11::toHex(pkcs11::sha256(document)))},
        {"signer", result.value("signer", std::string())},
        {"certificate", certUri.str()},
        {"size", cms.size()}};
}

}  // namespace firmante::cli
