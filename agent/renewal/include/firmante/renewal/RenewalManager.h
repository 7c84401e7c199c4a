#pragma once

#include <filesystem>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "firmante/pkcs11/Token.h"
#include "firmante/pkcs11/Types.h"
#include "firmante/pkcs11/Uri.h"
#include "firmante/renewal/Authorizer.h"

namespace firmante::renewal {

class RenewalJournal;
struct RenewalRecord;
class StepContext;
enum class RenewalStep;

/// The certificate renewal of DESIGN §2 (`renewal.*`) and §3 rules 1, 4 and 5, one journal file per
/// renewal. Every method returns the JSON-RPC `result` object of its protocol method and throws
/// pkcs11::Error carrying the DESIGN §2 reason word (RENEWAL_STATE, ORIGIN_NOT_ALLOWED,
/// LETTER_MISMATCH, CERTIFICATE_NOT_FOUND, CERTIFICATE_MISMATCH, KEY_NOT_FOUND, INVALID_PARAMS,
/// TOO_LARGE, TOKEN_NOT_PRESENT, and whatever the Authorizer throws: USER_CANCELLED,
/// PIN_INCORRECT, PIN_LOCKED). Messages are es-MX, for a person.
///
/// Thread safety: the token methods run on the worker thread of the renewal's token (see
/// tokenOf); status() and tokenOf() may be called from any thread.
class RenewalManager {
  public:
    /// Largest letter accepted (the protocol's frame limit); larger is TOO_LARGE.
    static constexpr std::size_t kMaxDocumentBytes = 16u * 1024u * 1024u;

    /// Loads every journal found in `journalDir` (one JSON file per renewal), creating the folder
    /// (mode 0700) when missing. A journal that does not parse is kept and listed as `corrupt`.
    /// Throws pkcs11::Error(Internal) when the folder cannot be created or read.
    explicit RenewalManager(std::filesystem::path journalDir);
    ~RenewalManager();
    RenewalManager(const RenewalManager&) = delete;
    RenewalManager& operator=(const RenewalManager&) = delete;

    /// renewal.begin: generates the new key on the token next to `currentCertificate` (which may
    /// be expired) and a CSR with the current subject, signed by the new key.
    /// Result: renewalId, uri, spki, spkiHex, csr, keyAttributes, keyType.
    /// An earlier begin interrupted between key generation and its journal entry (same token,
    /// certificate and origin) is resumed instead: its key is found by label, never duplicated.
    nlohmann::json begin(pkcs11::Token& token, Authorizer& authorizer, const std::string& origin,
                         const pkcs11::Uri& currentCertificate, pkcs11::KeyType keyType);

    /// renewal.sign_letter: `stage` "acceptance" (current certificate, once, right after begin) or
    /// "terms" (new certificate, after installCertificate). The PDF must state the new key's
    /// spkiHex — and, for "terms", the SHA-1 of the acceptance letter — before anything is shown
    /// or signed (LETTER_MISMATCH otherwise). Result: cms, documentSha256, signer.
    nlohmann::json signLetter(pkcs11::Token& token, Authorizer& authorizer,
                              const std::string& origin, const std::string& renewalId,
                              const std::string& stage, std::span<const unsigned char> document,
                              const std::string& fileName);

    /// renewal.prove_possession: the origin-bound challenge signed by the new key, after the
    /// acceptance letter. Result: signature, algorithm, spki.
    nlohmann::json provePossession(pkcs11::Token& token, Authorizer& authorizer,
                                   const std::string& origin, const std::string& renewalId,
                                   std::span<const unsigned char> nonce);

    /// renewal.install_certificate: stores the new certificate (DER or PEM bytes) on the token
    /// after the proof of possession; it must carry the new key (CERTIFICATE_MISMATCH) and come
    /// from the current certificate's issuer — same name and authority key identifier, and a
    /// signature that verifies when the issuer's certificate is in `chain` or on the token — or
    /// from a CA given to trustIssuers for this origin (CERTIFICATE_UNTRUSTED otherwise, before
    /// any prompt). Result: uri, subject, serial, notAfter.
    nlohmann::json installCertificate(pkcs11::Token& token, Authorizer& authorizer,
                                      const std::string& origin, const std::string& renewalId,
                                      std::span<const unsigned char> certificate,
                                      const std::vector<pkcs11::Bytes>& chain);

    /// CAs (DER) whose certificates installCertificate accepts for renewals begun by `origin`, in
    /// addition to the current certificate's own issuer (issue 9 §8). Replaces the earlier list.
    /// Throws Error(InvalidParams) when one does not parse.
    void trustIssuers(const std::string& origin, std::vector<pkcs11::Bytes> caCertificates);
    /// With `required`, begin() refuses a new key whose provenance the token does not confirm
    /// (KeyAttributes::provenanceConfirmed): the key is deleted again, the renewal ends as
    /// "cancelled" and begin throws Error(KeyProvenanceUnconfirmed) saying why, in words.
    void requireConfirmedProvenance(bool required) { requireProvenance_ = required; }

    /// renewal.status: one renewal, or `{"renewals":[…]}` with every journal (corrupt ones with
    /// state "corrupt"). No token needed.
    nlohmann::json status(const std::optional<std::string>& renewalId) const;

    /// The renewals of the journal that are neither finished nor cancelled (an earlier run of the
    /// agent may have left them), by id; corrupt journals are not among them. Any thread.
    std::vector<std::string> unfinished() const;

    /// renewal.finish: after the terms letter. With `retireOld`, asks Authorizer::confirm and only
    /// then deletes the old certificate and key; a refusal throws USER_CANCELLED and leaves the
    /// renewal where it was, so finish can be retried. Result: {done:true, retired}.
    nlohmann::json finish(pkcs11::Token& token, Authorizer& authorizer, const std::string& origin,
                          const std::string& renewalId, bool retireOld);

    /// renewal.cancel: asks Authorizer::confirm, then the PIN, then removes the renewal's new key
    /// (both halves, and whatever an interrupted generation left under its label) and ends the
    /// renewal as "cancelled". Only before a certificate was installed (RENEWAL_STATE after); the
    /// current certificate and key are never touched. A refusal throws USER_CANCELLED and changes
    /// nothing. The origin that began the renewal, or "local" (the person's own CLI), may cancel.
    /// Result: {cancelled:true, keyRemoved}.
    nlohmann::json cancel(pkcs11::Token& token, Authorizer& authorizer, const std::string& origin,
                          const std::string& renewalId);

    /// The token (`pkcs11:token=…;serial=…`) a renewal lives on, so the agent routes the call to
    /// that token's worker. Throws Error(RenewalState) for an unknown id.
    pkcs11::Uri tokenOf(const std::string& renewalId) const;

  private:
    /// Who may act on a renewal: the origin that began it, or for cancel also the person's own
    /// CLI ("local").
    enum class Caller { BeganIt, BeganItOrLocal };

    /// A copy of one renewal's journal record. Throws RenewalState (unknown or corrupt).
    RenewalRecord record(const std::string& renewalId) const;
    /// What every step checks first, as one context: a valid `origin`, the record of
    /// `renewalId`, begun by `origin` (see Caller), in one of the `allowed` steps (RenewalState
    /// naming `action` otherwise).
    StepContext step(pkcs11::Token& token, Authorizer& authorizer, const std::string& origin,
                     const std::string& renewalId, std::initializer_list<RenewalStep> allowed,
                     std::string_view action, Caller caller = Caller::BeganIt) const;
    /// Writes the record durably, then makes it the current one.
    void store(const RenewalRecord& record);
    /// The journal of a begin for this origin, token and certificate that stopped in
    /// "generating", if there is one.
    std::optional<RenewalRecord> interruptedBegin(const std::string& origin,
                                                  const pkcs11::TokenInfo& info,
                                                  const std::string& oldCertUri) const;
    /// After login: the key a generation under `label` completed, if any; every other key object
    /// under that label (an interrupted generation's remains) is deleted.
    static std::optional<pkcs11::KeyInfo> recoverInterruptedKey(pkcs11::Token& token,
                                                                const std::string& label,
                                                                const pkcs11::KeyInfo& oldKey);

    std::vector<pkcs11::Bytes> trustedIssuers(const std::string& origin) const;
    /// The current certificate of the renewal: journaled, else read from the token.
    static pkcs11::Bytes oldCertificateDer(const StepContext& step);

    std::unique_ptr<RenewalJournal> journal_;
    mutable std::mutex mutex_;
    /// What the journal folder holds, kept current by store(): the records by renewal id and
    /// the corrupt journals with why (RenewalJournal::Contents; a pointer, as RenewalRecord is
    /// internal to the library).
    struct Renewals;
    std::unique_ptr<Renewals> renewals_;
    std::map<std::string, std::vector<pkcs11::Bytes>> trusted_;  // origin -> CA certificates
    bool requireProvenance_ = false;
};

}  // namespace firmante::renewal
