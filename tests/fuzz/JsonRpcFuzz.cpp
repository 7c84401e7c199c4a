// JSON-RPC parsing and parameter validation: the agent's real Dispatcher, as every transport
// drives it, with a real PKCS#11 module (SoftHSM, no token) and a person who refuses every
// question. Input: byte 0 picks the transport (WebSocket with an attested page origin, or native
// messaging with the origin in the request), the rest is one frame body. Properties: exactly one
// response, a JSON-RPC 2.0 object with either a result (only agent.info gets that far without a
// token) or an error whose reason is one a malformed or unauthorised request may get (or
// RENEWAL_STATE: renewal methods look their renewal up while checking params); never INTERNAL,
// never a hang, never a crash.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "FuzzCheck.h"
#include "firmante/agent/ConfigStore.h"
#include "firmante/agent/Dispatcher.h"
#include "firmante/agent/OriginPolicy.h"
#include "firmante/agent/TokenRegistry.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Module.h"
#include "firmante/prompt/Prompter.h"
#include "firmante/renewal/Authorizer.h"

namespace agent = firmante::agent;

namespace {

// The person says no to everything: nothing reaches a token, so each input costs microseconds.
class RefusingPerson : public firmante::prompt::Prompter, public firmante::renewal::Authorizer {
  public:
    firmante::pkcs11::Secret askPin(const firmante::prompt::PromptText&) override {
        throw firmante::pkcs11::Error(firmante::pkcs11::Reason::UserCancelled, "refused");
    }
    bool confirm(const firmante::prompt::PromptText&) override { return false; }
    void unlock(firmante::pkcs11::Token&, const firmante::renewal::OperationDescription&) override {
        throw firmante::pkcs11::Error(firmante::pkcs11::Reason::UserCancelled, "refused");
    }
    void confirm(const firmante::renewal::OperationDescription&) override {
        throw firmante::pkcs11::Error(firmante::pkcs11::Reason::UserCancelled, "refused");
    }
};

struct World {
    std::filesystem::path dir;
    RefusingPerson person;
    std::unique_ptr<agent::ConfigStore> config;
    std::unique_ptr<agent::OriginPolicy> origins;
    std::unique_ptr<agent::TokenRegistry> tokens;
    std::unique_ptr<agent::Dispatcher> dispatcher;
};

World* world = nullptr;

void quietLogs() {
    // Loggers the agent looks up by name (Logging.h) get a null sink before first use.
    auto sink = std::make_shared<spdlog::sinks::null_sink_mt>();
    for (const char* name :
         {"agent", "ipc", "rpc", "token", "prompt", "policy", "renewal", "websocket"}) {
        if (!spdlog::get(name))
            spdlog::register_logger(std::make_shared<spdlog::logger>(name, sink));
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    quietLogs();
    char pattern[] = "/tmp/firmante-fuzz-rpc-XXXXXX";
    FUZZ_CHECK(::mkdtemp(pattern) != nullptr);
    world = new World;
    world->dir = pattern;
    std::filesystem::create_directories(world->dir / "tokens");
    std::ofstream(world->dir / "softhsm2.conf")
        << "directories.tokendir = " << (world->dir / "tokens").string()
        << "\nobjectstore.backend = file\nlog.level = ERROR\n";
    ::setenv("SOFTHSM2_CONF", (world->dir / "softhsm2.conf").c_str(), 1);
    std::atexit([] {
        std::error_code ignored;
        std::filesystem::remove_all(world->dir, ignored);
    });

    auto module = firmante::pkcs11::Module::load(FIRMANTE_SOFTHSM_MODULE);
    agent::Limits limits;
    world->config =
        std::make_unique<agent::ConfigStore>(world->dir / "config.json", agent::AgentConfig{});
    world->origins = std::make_unique<agent::OriginPolicy>(*world->config, world->person);
    world->tokens = std::make_unique<agent::TokenRegistry>(module, limits);
    world->dispatcher = std::make_unique<agent::Dispatcher>(
        *world->tokens, *world->origins, world->person, world->dir / "renewals", limits,
        std::vector<std::string>{"unix", "websocket"});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    agent::ConnectionContext connection;
    connection.id = 1;
    if (data[0] & 1) {
        connection.kind = agent::ConnectionContext::Kind::NativeMessaging;
        connection.originPerRequest = true;
        connection.client = "firmante-nmhost/fuzz";
    } else {
        connection.kind = agent::ConnectionContext::Kind::WebSocket;
        connection.origin = "https://fuzz.example";
    }
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

    auto answered = std::make_shared<std::promise<nlohmann::json>>();
    auto calls = std::make_shared<std::atomic<int>>(0);
    auto future = answered->get_future();
    world->dispatcher->handle(text, connection, [answered, calls](nlohmann::json response) {
        if (calls->fetch_add(1) == 0) answered->set_value(std::move(response));
    });
    FUZZ_CHECK(future.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    const nlohmann::json response = future.get();
    FUZZ_CHECK(calls->load() == 1);

    FUZZ_CHECK(response.is_object());
    FUZZ_CHECK(response.value("jsonrpc", "") == "2.0");
    FUZZ_CHECK(response.contains("id"));
    FUZZ_CHECK(response.contains("result") != response.contains("error"));
    if (response.contains("result")) {
        FUZZ_CHECK(response["result"].contains("protocolVersion"));  // only agent.info
        return 0;
    }
    static const std::set<std::string> expected = {
        "PARSE_ERROR", "INVALID_REQUEST",   "METHOD_NOT_FOUND",   "INVALID_PARAMS",
        "TOO_LARGE",   "TOKEN_NOT_PRESENT", "ORIGIN_NOT_ALLOWED", "RENEWAL_STATE"};
    const auto& error = response["error"];
    FUZZ_CHECK(error.is_object() && error.contains("data"));
    const std::string reason = error["data"].value("reason", "");
    if (!expected.count(reason)) {
        std::fprintf(stderr, "unexpected reason %s: %s\n", reason.c_str(),
                     error.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
        FUZZ_CHECK(expected.count(reason));
    }
    return 0;
}
