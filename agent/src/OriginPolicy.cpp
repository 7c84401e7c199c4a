#include "firmante/agent/OriginPolicy.h"

#include <future>

#include <boost/asio/post.hpp>

#include "firmante/agent/Logging.h"
#include "firmante/agent/Origin.h"
#include "firmante/prompt/SafeText.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::agent {

namespace {

RpcError refusedError(const std::string& origin) {
    return RpcError(protocol::words::OriginNotAllowed, "the origin " + origin + " is not allowed");
}

void deliver(const OriginPolicy::Answer& answer, const std::optional<RpcError>& outcome) noexcept {
    try {
        answer(outcome);
    } catch (const std::exception& e) {
        logger("policy")->error("delivering a consent answer: {}", e.what());
    } catch (...) {
        logger("policy")->error("delivering a consent answer failed");
    }
}

}  // namespace

OriginPolicy::OriginPolicy(ConfigStore& config, prompt::Prompter& prompter)
    : OriginPolicy(config, prompter, Settings{}) {}

OriginPolicy::OriginPolicy(ConfigStore& config, prompt::Prompter& prompter, Settings settings)
    : config_(config), prompter_(prompter), settings_(settings) {}

OriginPolicy::~OriginPolicy() {
    stop();
}

void OriginPolicy::stop() noexcept {
    {
        std::lock_guard lock(mutex_);
        if (stopped_) return;
        stopped_ = true;
        waiting_.clear();
    }
    consent_.stop();
    consent_.join();
}

bool OriginPolicy::refusedLocked(const std::string& site) {
    const auto it = refusedSites_.find(site);
    if (it == refusedSites_.end()) return false;
    if (std::chrono::steady_clock::now() - it->second < settings_.refusalMemory) return true;
    refusedSites_.erase(it);
    return false;
}

bool OriginPolicy::refusedRecently(const std::string& origin) {
    const std::string site = siteOf(origin);
    std::lock_guard lock(mutex_);
    return refusedLocked(site);
}

void OriginPolicy::ask(const std::string& origin, Answer answer) noexcept {
    std::optional<RpcError> now;
    try {
        if (allowed(origin)) {
            deliver(answer, std::nullopt);
            return;
        }
        std::lock_guard lock(mutex_);
        if (stopped_) {
            now = RpcError(protocol::words::OriginNotAllowed, "the agent is stopping");
        } else if (refusedLocked(siteOf(origin))) {
            now = refusedError(origin);
        } else if (auto it = waiting_.find(origin); it != waiting_.end()) {
            if (it->second.size() < settings_.maxWaitersPerOrigin) {
                it->second.push_back(std::move(answer));
                return;
            }
            now = RpcError(protocol::words::OriginNotAllowed,
                           "too many requests from " + origin + " wait for the person's answer");
        } else if (waiting_.size() >= settings_.maxWaitingOrigins) {
            now = RpcError(protocol::words::OriginNotAllowed,
                           "too many sites wait for the person's answer; try again later");
        } else {
            waiting_[origin].push_back(std::move(answer));
            boost::asio::post(consent_, [this, origin] { decide(origin); });
            return;
        }
    } catch (const std::exception& e) {
        now = RpcError(protocol::words::OriginNotAllowed,
                       std::string("cannot ask about the origin: ") + e.what());
    }
    deliver(answer, now);
}

void OriginPolicy::authorize(const std::string& origin) {
    auto promise = std::make_shared<std::promise<std::optional<RpcError>>>();
    auto future = promise->get_future();
    ask(origin, [promise](std::optional<RpcError> outcome) { promise->set_value(outcome); });
    if (auto error = future.get()) throw *error;
}

void OriginPolicy::decide(const std::string& origin) {
    std::optional<RpcError> outcome;
    try {
        outcome = question(origin);
    } catch (const std::exception& e) {
        outcome =
            RpcError(protocol::words::OriginNotAllowed, std::string("cannot ask: ") + e.what());
    }
    std::vector<Answer> answers;
    {
        std::lock_guard lock(mutex_);
        if (auto it = waiting_.find(origin); it != waiting_.end()) {
            answers = std::move(it->second);
            waiting_.erase(it);
        }
    }
    for (const auto& answer : answers) deliver(answer, outcome);
}

prompt::PromptText siteConsentPrompt(const std::string& origin) {
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
    prompt::PromptDetails details;
    details.kind = prompt::PromptKind::SiteConsent;
    details.title = {"Permiso para un sitio nuevo", "Permission for a new site"};
    details.operation = {
        "Usar sus certificados. El sitio podrá pedirle firmar; cada firma se le "
        "mostrará antes.",
        "Use your certificates. The site may ask you to sign; every signature "
        "is shown to you first."};
    details.site = prompt::safeText(origin, prompt::kShownOrigin);
    details.accept = {"Permitir", "Allow"};
    details.refuse = {"Rechazar", "Deny"};
    text.details = std::move(details);
    return text;
}

prompt::PromptText revokeSitePrompt(const std::string& untrusted) {
    const std::string origin = prompt::safeText(untrusted, prompt::kShownOrigin);
    const prompt::Bilingual question{
        "¿Quitar a " + origin + " el permiso de usar sus certificados?",
        "Stop allowing " + origin + " to use your certificates?"};
    const prompt::Bilingual meaning{
        "Si quita el permiso, el sitio ya no podrá usar sus certificados: la próxima vez que lo "
        "intente, Firmante le preguntará a usted de nuevo si lo permite. No se borra nada: su "
        "token, sus certificados y lo que ya firmó quedan igual.",
        "If you revoke the permission, the site can no longer use your certificates: the next "
        "time it tries, Firmante asks you again whether to allow it. Nothing is deleted: your "
        "token, your certificates and what you have already signed stay as they are."};
    prompt::PromptText text;
    text.title = "Firmante — Quitar un permiso / Revoke a permission";
    text.description = question.es + "\n" + meaning.es + "\n\n" + question.en + "\n" + meaning.en;
    text.ok = "Quitar el permiso / Revoke";
    text.cancel = "Conservar / Keep";
    prompt::PromptDetails details;
    details.kind = prompt::PromptKind::Destructive;
    details.title = {"Quitar el permiso a un sitio", "Revoke a site's permission"};
    details.operation = question;
    details.note = meaning;
    details.site = origin;
    details.accept = {"Quitar el permiso", "Revoke"};
    details.refuse = {"Conservar", "Keep"};
    text.details = std::move(details);
    return text;
}

std::optional<RpcError> OriginPolicy::question(const std::string& origin) {
    // Decided while this question waited in the queue: approved by an earlier prompt of the same
    // origin, or its site refused under another subdomain.
    if (allowed(origin)) return std::nullopt;
    const std::string site = siteOf(origin);
    {
        std::lock_guard lock(mutex_);
        if (refusedLocked(site)) return refusedError(origin);
    }
    const prompt::PromptText text = siteConsentPrompt(origin);
    bool approved = false;
    try {
        approved = prompter_.confirm(text);
    } catch (const std::exception& e) {
        logger("policy")->error("cannot ask about origin {}: {}", origin, e.what());
        return RpcError(protocol::words::OriginNotAllowed,
                        "the origin " + origin + " is not allowed and the agent could not ask");
    }
    if (!approved) {
        logger("policy")->info("origin refused by the person: {} (site {} refused for {} s)",
                               origin, site, settings_.refusalMemory.count());
        std::lock_guard lock(mutex_);
        // Bounded: a flood of distinct refused sites only ever costs this much memory.
        if (refusedSites_.size() >= 1024) refusedSites_.clear();
        refusedSites_[site] = std::chrono::steady_clock::now();
        return refusedError(origin);
    }
    logger("policy")->info("origin approved by the person: {}", origin);
    try {
        config_.rememberOrigin(origin);
    } catch (const std::exception& e) {
        // The answer still holds for this request; it just will be asked again next start.
        logger("policy")->error("cannot remember origin {}: {}", origin, e.what());
    }
    return std::nullopt;
}

}  // namespace firmante::agent
