// firmante-nmhost: the native messaging host. The browser starts it with the caller's identity
// as arguments and speaks length-prefixed JSON on stdin/stdout; it relays every frame to the
// long-running firmante-agent over its Unix socket (the shape of KeePassXC's browser proxy).
// stdout carries frames only: every log line goes to stderr.

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "AgentConnector.h"
#include "AgentProcessWatch.h"
#include "ErrorReply.h"
#include "HostError.h"
#include "Relay.h"
#include "firmante/nm/BuildConfig.h"
#include "firmante/nm/ExtensionId.h"
#include "firmante/nm/FdFrameIo.h"
#include "firmante/nm/Limits.h"
#include "firmante/protocol/AgentSocketPath.h"
#include "firmante/protocol/ReasonEnums.h"

namespace {

using firmante::nmhost::HostError;
namespace nm = firmante::nm;

constexpr int kExitFailure = 1;
constexpr std::chrono::milliseconds kDefaultStartTimeout{5000};
constexpr std::chrono::milliseconds kHelloTimeout{5000};

// Build-time id plus any listed in the environment variable `name` (comma separated). The
// environment is the browser's, so it widens nothing an attacker does not already control; it
// lets a development build or a test accept an unpacked extension's id.
std::vector<std::string> allowedIds(std::string_view buildId, const char* name) {
    std::vector<std::string> ids;
    if (!buildId.empty()) ids.emplace_back(buildId);
    if (const char* extra = std::getenv(name); extra != nullptr) {
        std::stringstream list(extra);
        std::string id;
        while (std::getline(list, id, ',')) {
            if (!id.empty()) ids.push_back(id);
        }
    }
    return ids;
}

// The browser → host frame limit: `limits.maxFrameBytes` of the agent's config file (the same
// file and key the agent reads, so both ends agree), bounded like the agent bounds it; the
// default when the file or the key is missing or unreadable.
std::size_t browserFrameLimit() {
    std::string path;
    if (const char* c = std::getenv("FIRMANTE_CONFIG"); c != nullptr && *c != '\0') {
        path = c;
    } else if (const char* x = std::getenv("XDG_CONFIG_HOME"); x != nullptr && *x != '\0') {
        path = std::string(x) + "/firmante/config.json";
    } else if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') {
        path = std::string(h) + "/.config/firmante/config.json";
    }
    std::ifstream in(path);
    if (path.empty() || !in) return nm::kDefaultFrameLimit;
    const auto config = nlohmann::json::parse(in, nullptr, false);
    if (!config.is_object() || !config.contains("limits") || !config["limits"].is_object())
        return nm::kDefaultFrameLimit;
    const auto& value = config["limits"].value("maxFrameBytes", nlohmann::json());
    if (!value.is_number_unsigned()) return nm::kDefaultFrameLimit;
    const auto limit = value.get<std::uint64_t>();
    constexpr std::uint64_t kUpperBound = 64u << 20;  // the agent's bound for the same key
    if (limit == 0 || limit > kUpperBound) return nm::kDefaultFrameLimit;
    return static_cast<std::size_t>(limit);
}

std::chrono::milliseconds startTimeout() {
    // For tests of the "agent never comes up" path; the default suits a real start.
    if (const char* value = std::getenv("FIRMANTE_AGENT_START_TIMEOUT_MS"); value != nullptr) {
        char* end = nullptr;
        const long ms = std::strtol(value, &end, 10);
        if (end != value && *end == '\0' && ms > 0 && ms <= 60000) {
            return std::chrono::milliseconds(ms);
        }
    }
    return kDefaultStartTimeout;
}

std::string helloFor(const nm::CallerInfo& caller) {
    const nlohmann::json hello = {
        {"jsonrpc", "2.0"},
        {"id", "hello"},
        {"method", "transport.hello"},
        {"params",
         {{"transport", "native-messaging"},
          {"client", "firmante-nmhost/" + std::string(nm::kFirmanteVersion)},
          {"protocolVersion", 1},
          {"extensionId", caller.extensionId},
          {"browser", nm::browserName(caller.browser)}}}};
    return hello.dump();
}

// Best effort: the browser shows nothing of stderr to the person, an error frame reaches the
// extension, which can explain what is wrong.
void reportToBrowser(std::string_view reason, std::string_view message) {
    try {
        nm::writeFrame(STDOUT_FILENO, firmante::nmhost::errorReply(reason, message),
                       nm::kMaxHostToBrowserFrame);
    } catch (const std::exception& error) {
        spdlog::error("cannot report to the browser: {}", error.what());
    }
}

}  // namespace

int main(int argc, char** argv) {
    // A browser that goes away must turn writes into EPIPE errors, not kill us mid-frame.
    std::signal(SIGPIPE, SIG_IGN);
    auto logger = spdlog::stderr_logger_st("firmante-nmhost");
    spdlog::set_default_logger(logger);
    spdlog::cfg::load_env_levels();  // SPDLOG_LEVEL=debug for troubleshooting

    nm::CallerInfo caller;
    try {
        const std::vector<std::string_view> args(argv + 1, argv + argc);
        caller = nm::parseCallerArguments(args);
    } catch (const std::invalid_argument& error) {
        spdlog::error("refusing to start: {}", error.what());
        reportToBrowser(firmante::protocol::words::OriginNotAllowed,
                        "Llamada no reconocida / Unrecognised caller arguments");
        return kExitFailure;
    }
    const auto chromiumIds = allowedIds(nm::kBuildExtensionId, "FIRMANTE_EXTENSION_ID");
    const auto firefoxIds = allowedIds(nm::kBuildFirefoxAddonId, "FIRMANTE_FIREFOX_ADDON_ID");
    if (!nm::callerAllowed(caller, chromiumIds, firefoxIds)) {
        spdlog::error("refusing {} extension {}: not an allowed id{}",
                      nm::browserName(caller.browser), caller.extensionId,
                      chromiumIds.empty() && caller.browser == nm::Browser::Chromium
                          ? " (no extension id configured: set FIRMANTE_EXTENSION_ID)"
                          : "");
        reportToBrowser(firmante::protocol::words::OriginNotAllowed,
                        "Extensión no autorizada / Extension not allowed");
        return kExitFailure;
    }

    try {
        firmante::nmhost::AgentConnector connector(firmante::protocol::agentSocketPath(),
                                                   startTimeout());
        auto agent = connector.connect();
        const auto agentProcess = firmante::nmhost::watchAgentProcess(agent.get());
        firmante::nmhost::Relay relay(STDIN_FILENO, STDOUT_FILENO, agent.get(), browserFrameLimit(),
                                      kHelloTimeout, agentProcess.get());
        return static_cast<int>(relay.run(helloFor(caller)));
    } catch (const HostError& error) {
        spdlog::error("{}: {}", error.reason(), error.what());
        reportToBrowser(error.reason(), error.what());
    } catch (const std::exception& error) {
        spdlog::error("{}", error.what());
        reportToBrowser(firmante::protocol::words::NativeUnavailable, error.what());
    }
    return kExitFailure;
}
