#include "firmante/agent/Agent.h"

#include <csignal>
#include <iostream>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "StatusFeed.h"
#include "WatchedPrompter.h"
#include "firmante/agent/AdminConfig.h"
#include "firmante/agent/AgentConfig.h"
#include "firmante/agent/AgentPaths.h"
#include "firmante/agent/ConfigStore.h"
#include "firmante/agent/ConnectionHub.h"
#include "firmante/agent/Dispatcher.h"
#include "firmante/agent/InstanceLock.h"
#include "firmante/agent/Logging.h"
#include "firmante/agent/OriginPolicy.h"
#include "firmante/agent/PromptAuthorizer.h"
#include "firmante/agent/SocketActivation.h"
#include "firmante/agent/TokenRegistry.h"
#include "firmante/agent/UnixSocketServer.h"
#include "firmante/agent/UnlockHolds.h"
#include "firmante/agent/Version.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Module.h"
#include "firmante/pkcs11/ModuleLocator.h"
#include "firmante/prompt/PinentryPrompter.h"
#include "firmante/protocol/ReasonEnums.h"
#include "firmante/views/Json.h"
#include "firmante/websocket/WebSocketPort.h"
#include "firmante/websocket/WebSocketServer.h"

namespace firmante::agent {

Agent::Agent(std::unique_ptr<prompt::Prompter> prompter, AgentStatus* status)
    : prompter_(std::move(prompter)), status_(status) {}

Agent::~Agent() = default;

int Agent::run() {
    AgentPaths paths;
    std::optional<int> activated;
    try {
        // First, so the LISTEN_* variables are gone before anything could start a child.
        activated = takeActivatedSocket();
        paths = AgentPaths::fromEnvironment();
        setupLogging(paths.logFile);
        installDefaultLoggers();
    } catch (const std::exception& e) {
        std::cerr << "firmante-agent: " << e.what() << "\n";
        return 1;
    }
    auto log = logger("agent");
    std::unique_ptr<InstanceLock> lock;
    try {
        ensurePrivateDirectory(paths.socket.parent_path());
        lock = std::make_unique<InstanceLock>(paths.lock);
    } catch (const InstanceLock::AlreadyRunning&) {
        std::cerr << "firmante-agent: ya hay un agente de Firmante en ejecución para este usuario ("
                  << paths.socket.string() << ").\n"
                  << "firmante-agent: another Firmante agent is already running for this user ("
                  << paths.socket.string() << ").\n";
        return 2;
    } catch (const std::exception& e) {
        log->error("cannot start: {}", e.what());
        return 1;
    }

    AgentConfig config;
    std::vector<std::string> adminOrigins;
    std::shared_ptr<pkcs11::Module> module;
    try {
        adminOrigins = loadAdminOrigins(paths.adminConfig);
        config = AgentConfig::load(paths.config);
        auto loaded = pkcs11::loadModule(config.module);
        const auto location = loaded.location;
        module = loaded.module;
        for (const auto& skipped : loaded.skipped)
            log->warn("PKCS#11 module registered with p11-kit skipped, it cannot start: {}",
                      printable(skipped, 400));
        log->info("firmante-agent {} using {} ({}, from {})", kAgentVersion, location.path,
                  module->description(), location.source);
        // One line, not the module's dozen on the terminal (issue 11 §8): through p11-kit-proxy
        // a registered module that cannot start (tpm2-pkcs11 with no TPM) prints them, and
        // p11-kit skips it.
        if (!module->startupNote().empty()) {
            log->warn(
                "PKCS#11 module output while starting, kept out of the terminal (p11-kit "
                "skips a registered module that cannot start): {}",
                printable(module->startupNote(), 400));
        }
    } catch (const pkcs11::Error& e) {
        std::cerr << "firmante-agent: no se pudo cargar el módulo PKCS#11 / cannot load the "
                     "PKCS#11 module: "
                  << e.what() << "\n";
        log->error("cannot start: {}", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "firmante-agent: configuración inválida / invalid configuration: " << e.what()
                  << "\n";
        log->error("cannot start: {}", e.what());
        return 1;
    }

    if (!prompter_) {
        prompter_ = std::make_unique<prompt::PinentryPrompter>(
            prompt::PinentryPrompter::programFromEnvironment(), config.limits.promptTimeout);
    }
    const Limits limits = config.limits;
    const auto trustedIssuers = config.trustedIssuers;
    const bool requireConfirmedProvenance = config.requireConfirmedProvenance;
    const TokenRegistry::Monitoring monitoring{config.tokenPoll, config.reinitializeModule};
    // Outlives the registry and the authorizer, which both use it.
    UnlockHolds holds(!config.alwaysAskPin, config.unlockIdle);
    // Declared first, destroyed last: responses from worker threads are posted to it.
    boost::asio::io_context io(1);
    ConnectionHub hub;
    ConfigStore store(paths.config, std::move(config), std::move(adminOrigins));
    // With a tray, every question shows as "waiting for you" while it is open.
    std::optional<WatchedPrompter> watched;
    if (status_) watched.emplace(*prompter_, *status_);
    prompt::Prompter& asker = watched ? static_cast<prompt::Prompter&>(*watched) : *prompter_;
    PromptAuthorizer authorizer(asker, &holds);
    OriginPolicy origins(store, asker);
    TokenRegistry registry(module, limits, monitoring);
    registry.setUnlockHolds(&holds);
    Dispatcher dispatcher(registry, origins, authorizer, paths.renewalsDir, limits,
                          {"unix", "native-messaging"});
    try {
        dispatcher.trustRenewalIssuers(trustedIssuers);
        dispatcher.requireConfirmedProvenance(requireConfirmedProvenance);
    } catch (const std::exception& e) {
        std::cerr << "firmante-agent: configuración inválida / invalid configuration: " << e.what()
                  << "\n";
        log->error("cannot start: {}", e.what());
        return 1;
    }
    dispatcher.setStatus(status_);
    UnixSocketServer server(io, paths.socket, dispatcher, hub, limits);
    std::unique_ptr<websocket::WebSocketServer> webSocket;
    try {
        registry.start([&hub, &registry, this](const std::vector<pkcs11::TokenInfo>& tokens) {
            if (status_) {
                status_->setTokens(tokens);
                readCertificatesFor(*status_, registry.workers());
            }
            nlohmann::json list = nlohmann::json::array();
            for (const auto& t : tokens) list.push_back(views::tokenJson(t));
            hub.broadcast(nlohmann::json{{"jsonrpc", "2.0"},
                                         {"method", "tokens.changed"},
                                         {"params", {{"tokens", std::move(list)}}}}
                              .dump());
        });
        // Before the Unix socket: agent.info must report the port from the first client on.
        // Without it (port taken, e.g. by another user's agent) the other transports still serve.
        try {
            if (const auto port = websocket::webSocketPortFromEnvironment()) {
                websocket::WebSocketSettings settings;
                settings.port = *port;
                webSocket = std::make_unique<websocket::WebSocketServer>(dispatcher, hub, origins,
                                                                         limits, settings);
                webSocket->start();
                dispatcher.setTransports({"unix", "native-messaging", "websocket"});
                dispatcher.setWebSocketPort(webSocket->port());
            }
        } catch (const websocket::ListenError& e) {
            webSocket.reset();
            log->error("no WebSocket transport: {}", e.what());
            dispatcher.setWebSocketProblem(
                {{"reason", e.reason()},
                 {"port", e.port()},
                 {"message", e.reason() == protocol::words::PortInUse
                                 ? "another program holds the port; pages cannot reach this agent "
                                   "over WebSocket (use the extension)"
                                 : "the agent cannot listen on the port"}});
        } catch (const std::exception& e) {
            webSocket.reset();
            log->error("no WebSocket transport: {}", e.what());
        }
        if (activated) {
            server.adopt(*activated);
            log->info("serving the socket handed over by the service manager");
        } else {
            server.start();
        }
    } catch (const std::exception& e) {
        log->error("cannot start: {}", e.what());
        std::cerr << "firmante-agent: " << e.what() << "\n";
        return 1;
    }
    if (status_) {
        status_->setTokens(registry.snapshot());
        readCertificatesFor(*status_, registry.workers());
        AgentStatus::Controls controls;
        controls.stop = [&io, log] {
            log->info("stopping: Quit in the tray menu");
            io.stop();
        };
        controls.revokeSite = [&store, log](const std::string& origin) {
            try {
                if (!store.forgetOrigin(origin)) return false;
            } catch (const std::exception& e) {
                log->error("cannot revoke {}: {}", printable(origin), e.what());
                return false;
            }
            log->info("site revoked in the tray menu: {}", printable(origin));
            return true;
        };
        controls.sites = [&store] {
            std::vector<AllowedSite> sites;
            for (const auto& o : store.allowedOrigins()) sites.push_back({o, false});
            for (const auto& o : store.adminOrigins()) sites.push_back({o, true});
            return sites;
        };
        status_->setControls(std::move(controls), paths.logFile);
    }
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&io, log](const boost::system::error_code& ec, int signal) {
        if (!ec) log->info("stopping on signal {}", signal);
        io.stop();
    });
    log->info("listening on {}", paths.socket.string());
    io.run();

    // The tray's controls reach into what is about to go away.
    if (status_) status_->clearControls();
    // Workers may sit in a prompt nobody answers (and that ignores SIGTERM): end them first,
    // so stopping takes well under a second instead of the prompt's timeout.
    prompter_->shutdown();
    if (webSocket) webSocket->stop();
    server.stop();
    dispatcher.stop();
    registry.stop();
    log->info("stopped");
    return 0;
}

}  // namespace firmante::agent
