// tokens, certs, keys: what is on the token.
#include "Commands.h"
#include "Messages.h"
#include "ModuleSelection.h"
#include "TokenSession.h"
#include "firmante/views/Json.h"

namespace firmante::cli {

nlohmann::json runTokens(const Arguments& args) {
    if (auto agent = agentFor(args)) return tokensViaAgent(args, *agent);
    auto loaded = loadSelectedModule(args);
    const auto& location = loaded.location;
    const auto& module = loaded.module;
    nlohmann::json tokens = nlohmann::json::array();
    for (const auto& token : module->tokens()) tokens.push_back(views::tokenJson(token));
    return {{"via", "direct"},
            {"module", location.path},
            {"moduleSource", location.source},
            {"tokens", tokens}};
}

nlohmann::json runCerts(const Arguments& args) {
    if (auto agent = agentFor(args)) return certsViaAgent(args, *agent);
    TokenSession session(args);
    // Certificates are public objects, so listing them needs no PIN; but tokens hide private keys
    // until login, and only then can each certificate be paired with its key. Log in when asked,
    // or when a script already handed us the PIN with --pin-fd.
    if (args.has("login") || args.value("pin-fd")) session.login(tr("op.listCertificates"));
    nlohmann::json certs = nlohmann::json::array();
    for (const auto& c : session.token().certificates()) certs.push_back(views::certificateJson(c));
    return {
        {"via", "direct"}, {"token", views::tokenJson(session.info())}, {"certificates", certs}};
}

nlohmann::json runKeys(const Arguments& args) {
    TokenSession session(args);
    session.login(tr("op.listKeys"));
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& k : session.token().keys()) keys.push_back(views::keyJson(k));
    return {{"token", views::tokenJson(session.info())}, {"keys", keys}};
}

}  // namespace firmante::cli
