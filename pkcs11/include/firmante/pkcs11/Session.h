#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <p11-kit/pkcs11.h>

#include "firmante/pkcs11/Module.h"
#include "firmante/pkcs11/Secret.h"
#include "firmante/pkcs11/Types.h"

namespace firmante::pkcs11 {

class Session;

/// Called by the signer between C_SignInit and C_Sign for a key with CKA_ALWAYS_AUTHENTICATE: asks
/// the person (saying why the PIN is asked again) and calls session.contextLogin(). Throws
/// Error(UserCancelled) when refused; any exception abandons the signature.
using ContextLogin = std::function<void(Session& session)>;

/// One Cryptoki session on a slot. Closed in a noexcept destructor. Object handles it returns are
/// plain non-owning values, valid while the session is. A re-initialisation of the module
/// (Module::reinitialize) ends it: stale() says so, and it is then never closed again.
class Session {
  public:
    /// Opens a read-write session. Throws Error(TokenNotPresent) or a mapped Cryptoki error.
    Session(std::shared_ptr<Module> module, CK_SLOT_ID slot);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    CK_SESSION_HANDLE handle() const noexcept { return handle_; }
    CK_SLOT_ID slot() const noexcept { return slot_; }
    Module& module() const noexcept { return *module_; }
    CK_FUNCTION_LIST* api() const noexcept { return module_->api(); }
    /// The module was re-initialised since this session opened: it is gone; open another.
    bool stale() const noexcept { return generation_ != module_->generation(); }

    /// C_Login as the user, exactly once; the secret is wiped when this returns. A wrong PIN
    /// throws Error(PinIncorrect) carrying the tries hint read from the token flags right after
    /// the failure; a locked PIN Error(PinLocked). Never retried. Already logged in is success.
    void login(Secret pin);
    /// C_Login with a NULL PIN: the PIN is typed on the reader's pinpad.
    void loginProtectedPath();
    /// Whether this application is logged in as the user on the token.
    bool loggedIn() const;
    void logout() noexcept;
    /// C_Login(CKU_CONTEXT_SPECIFIC) with the PIN, for a key with CKA_ALWAYS_AUTHENTICATE: only
    /// between C_SignInit and C_Sign on this session (PKCS#11 v2.40 §5.1, §11.4), and for that one
    /// signature. Errors and the tries hint as login(); never retried.
    void contextLogin(Secret pin);
    /// The same on the reader's pinpad (NULL PIN).
    void contextLoginProtectedPath();

    /// Handles of the objects matching the template.
    std::vector<CK_OBJECT_HANDLE> find(std::vector<CK_ATTRIBUTE> match) const;
    /// The raw value of one attribute; nullopt when the token says it is absent or sensitive.
    std::optional<Bytes> attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) const;
    /// Several attributes in two calls (lengths, then values), in the order asked; nullopt for
    /// each one the token says is absent or sensitive.
    std::vector<std::optional<Bytes>> attributes(CK_OBJECT_HANDLE object,
                                                 const std::vector<CK_ATTRIBUTE_TYPE>& types) const;
    /// A CK_BBOOL attribute; `fallback` when absent.
    bool boolAttribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type, bool fallback) const;
    /// A CK_ULONG attribute; nullopt when absent.
    std::optional<CK_ULONG> ulongAttribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) const;
    CK_OBJECT_HANDLE createObject(std::vector<CK_ATTRIBUTE> attributes);
    /// Deletes a token object. Only ever called explicitly (DESIGN §3 rule 5).
    void destroyObject(CK_OBJECT_HANDLE object);

  private:
    std::shared_ptr<Module> module_;
    CK_SLOT_ID slot_;
    CK_SESSION_HANDLE handle_ = CK_INVALID_HANDLE;
    std::uint64_t generation_ = 0;
    bool holdsLogin_ = false;  // counted in Module::noteLogin
    void loggedInHere() noexcept;
    void loggedOutHere() noexcept;
};

}  // namespace firmante::pkcs11
