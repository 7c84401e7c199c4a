#pragma once

#include <memory>
#include <optional>
#include <string>

#include "Arguments.h"
#include "firmante/pkcs11/Module.h"
#include "firmante/pkcs11/Token.h"
#include "firmante/pkcs11/Uri.h"

namespace firmante::cli {

/// The module and the one token a verb works on. Members are declared so that the token (and
/// its session) is destroyed before the module is finalised (DESIGN §6: SoftHSM hangs at exit
/// otherwise). Anything holding a token key (EVP_PKEY) must be declared after this object.
class TokenSession {
  public:
    /// Loads the module and opens the token named by `--token`, else by the token attributes of
    /// `object` (a key or certificate URI), else the only token present.
    explicit TokenSession(const Arguments& args, const std::optional<pkcs11::Uri>& object = {});

    pkcs11::Token& token() { return *token_; }
    /// The loaded module, for a second session on the same token (the direct path's worker).
    const std::shared_ptr<pkcs11::Module>& module() const noexcept { return module_; }
    const pkcs11::TokenInfo& info() const noexcept { return info_; }

    /// Logs in once: the reader's pinpad when it has one, else the PIN from --pin-fd, pinentry
    /// or the terminal. `operation` completes the sentence "… para <operation>". A wrong PIN
    /// throws CliError(PIN_INCORRECT) with the token's tries hint, and is never retried.
    /// Also arms the per-signature PIN of a key with CKA_ALWAYS_AUTHENTICATE: before each of its
    /// signatures the PIN is asked again the same way (the next line of --pin-fd), saying why.
    void login(const std::string& operation);

  private:
    void armContextLogin(const std::string& operation);

    std::optional<int> pinFd_;
    std::shared_ptr<pkcs11::Module> module_;
    std::optional<pkcs11::Token> token_;
    pkcs11::TokenInfo info_;
};

}  // namespace firmante::cli
