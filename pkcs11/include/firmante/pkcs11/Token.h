#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "firmante/pkcs11/Module.h"
#include "firmante/pkcs11/OpenSsl.h"
#include "firmante/pkcs11/Secret.h"
#include "firmante/pkcs11/Session.h"
#include "firmante/pkcs11/Types.h"

namespace firmante::pkcs11 {

/// The private-key template of keygen and .pfx import: CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE,
/// CKA_SIGN true, CKA_EXTRACTABLE false, CKA_LABEL; with `withOptional` also CKA_DECRYPT,
/// CKA_UNWRAP and CKA_DERIVE false (dropped for modules that reject them). Points into `label`.
std::vector<CK_ATTRIBUTE> signOnlyPrivateKeyTemplate(const std::string& label, bool withOptional);
/// The public-key template: CKA_TOKEN true, CKA_PRIVATE false, CKA_LABEL; with `withUsage` also
/// CKA_VERIFY true, CKA_ENCRYPT and CKA_WRAP false (tpm2-pkcs11 rejects these on the public half).
std::vector<CK_ATTRIBUTE> publicKeyTemplate(const std::string& label, bool withUsage);

/// Result of importing a legacy PKCS#12 file.
struct ImportedPkcs12 {
    KeyInfo key;  // attributes.local is false: imported, not generated here
    CertificateInfo certificate;
};

/// The operations Firmante performs on one token, over one long-lived session (which keeps the
/// login alive: Cryptoki logs out when the application's last session closes).
/// Not thread-safe: the agent gives each token one worker thread.
class Token {
  public:
    /// Throws Error(TokenNotPresent).
    Token(std::shared_ptr<Module> module, CK_SLOT_ID slot);
    /// Opens the token named by a label or token URI (empty: the only token present).
    static Token open(std::shared_ptr<Module> module, const std::string& labelOrUri);

    TokenInfo info() const;
    Module& module() const noexcept { return *module_; }
    const std::shared_ptr<Module>& sharedModule() const noexcept { return module_; }
    Session& session() noexcept { return *session_; }
    CK_SLOT_ID slot() const noexcept { return slot_; }

    bool loggedIn() const { return session_->loggedIn(); }
    /// The module was re-initialised since this token was opened: its session is gone.
    bool stale() const noexcept { return session_->stale(); }
    /// See Session::login. The secret is consumed.
    void login(Secret pin) { session_->login(std::move(pin)); }
    void loginProtectedPath() { session_->loginProtectedPath(); }
    void logout() noexcept { session_->logout(); }
    /// Who is asked for the PIN again before each signature with a CKA_ALWAYS_AUTHENTICATE key
    /// (see ContextLogin); keys from privateKey() take the one set when they are made. Empty: such
    /// keys cannot sign (Error(NotLoggedIn)). The agent sets it per operation and clears it after.
    void setContextLogin(ContextLogin contextLogin) { contextLogin_ = std::move(contextLogin); }

    /// Throws Error(KeyTypeUnsupported), naming the types the token offers, when its mechanism
    /// list does not allow generating `type` and signing with it. Needs no login: callers check
    /// before asking for the PIN.
    void requireKeyType(KeyType type) const;
    /// Generates a key pair on the token (requireKeyType first): CKA_TOKEN, CKA_PRIVATE,
    /// CKA_SENSITIVE true, CKA_EXTRACTABLE false; CKA_ID = SHA-1 of the public key value (as OpenSC
    /// does); `label` on both halves. Returns the key with its attributes read back. Needs login
    /// (NotLoggedIn).
    KeyInfo generateKeyPair(KeyType type, const std::string& label);

    /// Private keys on the token (needs login on most tokens to see them).
    std::vector<KeyInfo> keys();
    /// Certificates, each paired with its private key by CKA_ID, else by public key.
    std::vector<CertificateInfo> certificates();
    /// The key named by a `pkcs11:` URI (id and/or label). Throws Error(KeyNotFound).
    KeyInfo key(const Uri& uri);
    /// Whether certificate() also names the certificate's key (keyUri). Pairing costs finds on
    /// the token, each of which a module like SoftHSM pays for every object on it; a caller that
    /// only shows the certificate before the PIN, then asks keyOf() after login, skips it.
    enum class Pairing { WithKey, CertificateOnly };
    /// The certificate named by a URI. Throws Error(CertificateNotFound).
    CertificateInfo certificate(const Uri& uri, Pairing pairing = Pairing::WithKey);
    /// The private key paired with `certificate`: the one with its CKA_ID (one find), else the one
    /// whose public key it carries. Most tokens show private keys only after login. Throws
    /// Error(KeyNotFound).
    KeyInfo keyOf(const CertificateInfo& certificate);

    /// Stores a certificate (DER or PEM) next to the private key whose public key it carries, with
    /// CKA_ID, CKA_SUBJECT, CKA_ISSUER, CKA_SERIAL_NUMBER, CKA_VALUE, CKA_LABEL (the key's label
    /// when `label` is empty). Throws Error(CertificateMismatch) when no private key on the token
    /// matches; storing the same certificate twice returns the existing one.
    CertificateInfo storeCertificate(std::span<const unsigned char> certificate,
                                     const std::string& label = {});

    /// Imports a PKCS#12 file: its private key (sensitive, not extractable — but CKA_LOCAL false,
    /// reported as imported) and its certificate. Throws Error(PasswordIncorrect) for a wrong
    /// password and Error(InvalidParams) for a file that is not PKCS#12.
    ImportedPkcs12 importPkcs12(std::span<const unsigned char> pfx, Secret password,
                                const std::string& label = {});

    /// Deletes the private key, its public key, and nothing else. Explicit only.
    void deleteKey(const Uri& keyUri);
    /// Deletes every key object (private and public halves) labelled exactly `label` whose CKA_ID
    /// is none of `keepIds`, including halves left without a CKA_ID by an interrupted
    /// generateKeyPair. Returns how many objects went. Needs login to see private halves. Explicit
    /// only: the label must be one only this caller's operation can have written (a renewal's own
    /// label).
    std::size_t deleteKeyObjectsLabelled(const std::string& label,
                                         const std::vector<Bytes>& keepIds);
    /// Deletes one certificate object. Explicit only.
    void deleteCertificate(const Uri& certificateUri);

    /// An OpenSSL handle to the key for makeCsrPem, signDetached and signChallenge: its public half
    /// marked to sign on the token with a mechanism the token offers (TokenSigner.h); through
    /// libp11 only when the token hides the public half. Needs login. Throws Error(KeyNotFound).
    /// Keep it for one operation only and free it before the Module goes away.
    EvpPkeyPtr privateKey(const KeyInfo& key);

  private:
    KeyInfo readKey(CK_OBJECT_HANDLE privateKey);
    std::optional<CertificateInfo> readCertificate(CK_OBJECT_HANDLE certificate);
    /// Sets c.keyUri: the private key with the certificate's CKA_ID (one find), else the one with
    /// its public key (from `all`, read only then), else before login the public half's name.
    void pairWithKey(CertificateInfo& c, const std::function<const std::vector<KeyInfo>&()>& all);
    /// The private key with the certificate's CKA_ID, else the one with its public key (`all`).
    std::optional<KeyInfo> pairedKey(const CertificateInfo& c,
                                     const std::function<const std::vector<KeyInfo>&()>& all);
    const Uri& tokenUri();
    std::shared_ptr<Module> module_;
    CK_SLOT_ID slot_;
    std::unique_ptr<Session> session_;
    std::optional<Uri> tokenUri_;
    ContextLogin contextLogin_;
};

}  // namespace firmante::pkcs11
