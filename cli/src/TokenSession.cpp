#include "TokenSession.h"

#include <iostream>

#include "CliError.h"
#include "Messages.h"
#include "ModuleSelection.h"
#include "SecretPrompt.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::cli {
namespace {

std::string tokenSelector(const Arguments& args, const std::optional<pkcs11::Uri>& object) {
    if (auto explicitToken = args.value("token")) return *explicitToken;
    if (object && (object->token || object->serial || object->manufacturer || object->model)) {
        pkcs11::Uri tokenOnly;
        tokenOnly.token = object->token;
        tokenOnly.manufacturer = object->manufacturer;
        tokenOnly.model = object->model;
        tokenOnly.serial = object->serial;
        return tokenOnly.str();
    }
    return {};
}

CliError wrongPin(const pkcs11::TokenInfo& after, const pkcs11::Error& cause) {
    bool finalTry = after.pinFinalTry || cause.triesLeft() == 1;
    bool countLow = after.pinCountLow || cause.pinCountLow();
    std::string hint = finalTry   ? tr("pin.hintFinalTry")
                       : countLow ? tr("pin.hintCountLow")
                                  : tr("pin.hintUnknown");
    CliError error(protocol::words::PinIncorrect, tr("pin.incorrect", {after.label, hint}));
    error.pinFinalTry = finalTry;
    error.pinCountLow = countLow;
    error.triesLeft = finalTry ? std::optional<int>(1) : cause.triesLeft();
    return error;
}

}  // namespace

TokenSession::TokenSession(const Arguments& args, const std::optional<pkcs11::Uri>& object)
    : pinFd_(args.descriptor("pin-fd")), module_(loadModule(args)) {
    token_.emplace(pkcs11::Token::open(module_, tokenSelector(args, object)));
    info_ = token_->info();
}

void TokenSession::armContextLogin(const std::string& operation) {
    token_->setContextLogin([this, operation](pkcs11::Session& session) {
        const auto info = session.module().tokenInfo(session.slot());
        if (info.pinLocked)
            throw CliError(protocol::words::PinLocked, tr("pin.locked", {info.label}));
        try {
            if (info.pinpad) {
                std::cerr << tr("pin.pinpad", {info.label, operation}) << ' ' << tr("pin.again")
                          << std::endl;
                session.contextLoginProtectedPath();
                return;
            }
            PromptText text{tr("prompt.title"),
                            tr("prompt.pin", {info.label, operation}) + ' ' + tr("pin.again"),
                            tr("prompt.pinLabel")};
            session.contextLogin(obtainSecret(pinFd_, text));
        } catch (const pkcs11::Error& e) {
            if (e.reason() == pkcs11::Reason::PinIncorrect) throw wrongPin(token_->info(), e);
            if (e.reason() == pkcs11::Reason::PinLocked)
                throw CliError(protocol::words::PinLocked, tr("pin.locked", {info.label}));
            throw;
        }
    });
}

void TokenSession::login(const std::string& operation) {
    armContextLogin(operation);
    if (token_->loggedIn()) return;
    info_ = token_->info();
    if (info_.pinLocked)
        throw CliError(protocol::words::PinLocked, tr("pin.locked", {info_.label}));
    try {
        if (info_.pinpad) {
            std::cerr << tr("pin.pinpad", {info_.label, operation}) << std::endl;
            token_->loginProtectedPath();
            return;
        }
        PromptText text{tr("prompt.title"), tr("prompt.pin", {info_.label, operation}),
                        tr("prompt.pinLabel")};
        token_->login(obtainSecret(pinFd_, text));
    } catch (const pkcs11::Error& e) {
        if (e.reason() == pkcs11::Reason::PinIncorrect) throw wrongPin(token_->info(), e);
        if (e.reason() == pkcs11::Reason::PinLocked)
            throw CliError(protocol::words::PinLocked, tr("pin.locked", {info_.label}));
        throw;
    }
}

}  // namespace firmante::cli
