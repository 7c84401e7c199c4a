#include "firmante/agent/Hello.h"

#include "firmante/agent/Origin.h"
#include "firmante/agent/RpcError.h"
#include "firmante/agent/Version.h"
#include "firmante/nm/ExtensionId.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::agent {

namespace {

std::string optionalText(const nlohmann::json& params, const char* name, std::size_t max) {
    auto it = params.find(name);
    if (it == params.end() || it->is_null()) return {};
    if (!it->is_string() || it->get_ref<const std::string&>().size() > max) {
        throw RpcError(protocol::words::InvalidParams,
                       std::string("hello: ") + name + " must be a short string");
    }
    return it->get<std::string>();
}

}  // namespace

ConnectionContext acceptHello(const nlohmann::json& request, std::uint64_t connectionId) {
    if (!request.is_object() || request.value("method", nlohmann::json()) != "transport.hello") {
        throw RpcError(protocol::words::InvalidRequest,
                       "the first request on a connection must be transport.hello");
    }
    const auto params = request.value("params", nlohmann::json::object());
    if (!params.is_object())
        throw RpcError(protocol::words::InvalidParams, "hello: params must be an object");
    ConnectionContext context;
    context.id = connectionId;
    const auto version = params.find("protocolVersion");
    if (version == params.end() || !version->is_number_integer()) {
        throw RpcError(protocol::words::InvalidParams, "hello: protocolVersion must be an integer");
    }
    if (version->get<long long>() != kProtocolVersion) {
        throw RpcError(protocol::words::VersionMismatch,
                       "this agent speaks protocol version " + std::to_string(kProtocolVersion),
                       {{"protocolVersion", kProtocolVersion}});
    }
    const std::string transport = optionalText(params, "transport", 32);
    context.client = optionalText(params, "client", 128);
    if (transport == "cli") {
        context.kind = ConnectionContext::Kind::Cli;
        const std::string origin = optionalText(params, "origin", 512);
        if (!origin.empty() && !isValidOrigin(origin)) {
            throw RpcError(protocol::words::InvalidParams,
                           "hello: origin must be scheme://host[:port]");
        }
        // A CLI of this user acts as `local` unless it says which portal it acts for.
        context.origin = origin.empty() ? std::string(kLocalOrigin) : origin;
    } else if (transport == "native-messaging") {
        context.kind = ConnectionContext::Kind::NativeMessaging;
        context.originPerRequest = true;
        context.ownExtensionRelay = true;
        context.browser = optionalText(params, "browser", 16);
        context.extensionId = optionalText(params, "extensionId", 255);
        if (!context.browser.empty() && context.browser != "chromium" &&
            context.browser != "firefox") {
            throw RpcError(protocol::words::InvalidParams,
                           "hello: browser must be chromium or firefox");
        }
        if (!context.extensionId.empty()) {
            const bool valid = context.browser == "firefox"
                                   ? nm::isValidFirefoxAddonId(context.extensionId)
                                   : nm::isValidChromiumExtensionId(context.extensionId);
            if (!valid)
                throw RpcError(protocol::words::InvalidParams, "hello: malformed extensionId");
        }
    } else {
        throw RpcError(protocol::words::InvalidParams,
                       "hello: transport must be cli or native-messaging");
    }
    return context;
}

nlohmann::json helloResult() {
    return {{"agentVersion", kAgentVersion}, {"protocolVersion", kProtocolVersion}};
}

}  // namespace firmante::agent
