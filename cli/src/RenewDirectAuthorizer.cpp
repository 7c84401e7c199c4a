#include "RenewDirectAuthorizer.h"

#include <iostream>

#include "CliError.h"
#include "Messages.h"
#include "RenewText.h"
#include "SecretPrompt.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::cli {

template <class Fn>
auto RenewDirectAuthorizer::keepingOwnError(Fn&& prompt) -> decltype(prompt()) {
    try {
        return prompt();
    } catch (const CliError& e) {
        ownError_ = std::current_exception();
        const auto* row = protocol::findReason(e.reason());
        throw pkcs11::Error(row ? row->reason : pkcs11::Reason::Internal, e.what());
    }
}

void RenewDirectAuthorizer::unlock(pkcs11::Token& token,
                                   const renewal::OperationDescription& what) {
    // A CKA_ALWAYS_AUTHENTICATE key: the PIN again before each signature, asked afresh (the next
    // --pin-fd line), never the one kept for the renewal's logins.
    token.setContextLogin([this, what](pkcs11::Session& session) {
        const auto info = session.module().tokenInfo(session.slot());
        if (info.pinpad) {
            std::cerr << tr("pin.pinpad", {info.label, what.operation}) << std::endl;
            session.contextLoginProtectedPath();
            return;
        }
        PromptText text{tr("prompt.title"),
                        tr("prompt.pin", {info.label, renewText("op.renew", {what.origin})}) + ' ' +
                            tr("pin.again"),
                        tr("prompt.pinLabel")};
        session.contextLogin(keepingOwnError([&] { return obtainSecret(pinFd_, text); }));
    });
    if (token.loggedIn()) return;
    const auto info = token.info();
    if (info.pinLocked) {
        keepingOwnError(
            [&] { throw CliError(protocol::words::PinLocked, tr("pin.locked", {info.label})); });
    }
    if (info.pinpad) {
        std::cerr << tr("pin.pinpad", {info.label, what.operation}) << std::endl;
        token.loginProtectedPath();
        return;
    }
    if (!pin_) {
        PromptText text{tr("prompt.title"),
                        tr("prompt.pin", {info.label, renewText("op.renew", {what.origin})}),
                        tr("prompt.pinLabel")};
        pin_.emplace(keepingOwnError([&] { return obtainSecret(pinFd_, text); }));
    }
    pkcs11::Secret copy;
    copy.assign(std::string_view(pin_->data(), pin_->size()));
    try {
        token.login(std::move(copy));
    } catch (const pkcs11::Error&) {
        pin_.reset();  // wiped; never tried again
        throw;
    }
}

void RenewDirectAuthorizer::confirm(const renewal::OperationDescription&) {
    if (!retireOld_)
        throw pkcs11::Error(pkcs11::Reason::UserCancelled, renewText("retireNotConfirmed"));
}

}  // namespace firmante::cli
