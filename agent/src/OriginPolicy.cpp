#include "firmante/agent/OriginPolicy.h"

#include "firmante/agent/Logging.h"
#include "firmante/agent/RpcError.h"

namespace firmante::agent {

void OriginPolicy::authorize(const std::string& origin) {
    if (allowed(origin)) return;
    // One question at a time; a second request from the same page waits for the first answer.
    std::lock_guard lock(askMutex_);
    if (allowed(origin)) return;
    prompt::PromptText text;
    text.title = "Firmante — Permiso / Permission";
    text.description = "¿Permitir que " + origin +
                       " use sus certificados?\nEl sitio podrá pedirle firmar; cada firma pedirá "
                       "su PIN.\n\nAllow " +
                       origin +
                       " to use your certificates?\nThe site may ask you to sign; every signature "
                       "asks for your PIN.";
    text.ok = "Permitir / Allow";
    text.cancel = "Rechazar / Deny";
    bool approved = false;
    try {
        approved = prompter_.confirm(text);
    } catch (const std::exception& e) {
        logger("policy")->error("cannot ask about origin {}: {}", origin, e.what());
        throw RpcError("ORIGIN_NOT_ALLOWED",
                       "the origin " + origin + " is not allowed and the agent could not ask");
    }
    if (!approved) {
        logger("policy")->info("origin refused by the person: {}", origin);
        throw RpcError("ORIGIN_NOT_ALLOWED", "the origin " + origin + " is not allowed");
    }
    logger("policy")->info("origin approved by the person: {}", origin);
    try {
        config_.rememberOrigin(origin);
    } catch (const std::exception& e) {
        // The answer still holds for this request; it just will be asked again next start.
        logger("policy")->error("cannot remember origin {}: {}", origin, e.what());
    }
}

}  // namespace firmante::agent
