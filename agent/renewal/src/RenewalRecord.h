#pragma once

// One renewal's journal as a type (issue 10 §3): the renewal logic reads and writes these fields,
// and JSON appears only at the journal's edge (toJson / fromJson). Internal to agent/renewal.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "RenewalStep.h"

namespace firmante::renewal {

/// What `<renewalId>.json` holds (DESIGN §3 rule 5): enough to resume a renewal after a crash and
/// to show where it stands, never a PIN, a document or a signature.
///
/// A member that is a plain value is present in every journal, whatever its state; a
/// std::optional one may be absent (not reached yet, or an older journal written before it
/// existed), and is then not written either. Whatever fromJson did not recognise, at any level,
/// is kept in that level's `extra` and written back by toJson, so a journal read and saved again
/// loses nothing (only `version` becomes kVersion).
struct RenewalRecord {
    /// Version 2: written through this type. Version 1 (and journals without `version`) hold the
    /// same members and load with the same rules; a newer version is refused, never rewritten.
    static constexpr int kVersion = 2;
    static constexpr const char* kFormat = "firmante-renewal-journal";

    struct Token {
        std::optional<std::string> uri;  // pkcs11:token=…;serial=…
        std::string label;
        std::string serial;
        nlohmann::json extra;  // members not known here (an object, or null for none)
    };
    /// The certificate being renewed; retired (deleted from the token) only by finish.
    struct OldCertificate {
        std::string uri;
        std::optional<std::string> label;
        std::optional<std::string> keyUri;
        std::optional<std::string> keyLabel;
        std::optional<std::string> subject;
        std::optional<std::string> serial;    // hex
        std::optional<std::string> notAfter;  // RFC 3339
        std::optional<bool> expired;
        std::optional<std::string> spkiHex;  // the letters' format (pkcs11::spkiHex)
        std::optional<std::string> der;      // base64; journaled since issue 9
        nlohmann::json extra;                // members not known here (an object, or null for none)
    };
    /// The key begin generates. In state "generating" only label and keyType are known.
    struct NewKey {
        std::string label;  // carries the renewal id: an interrupted generation is found by it
        std::optional<std::string> keyType;
        std::optional<std::string> uri;
        std::optional<std::string> id;    // CKA_ID, hex
        std::optional<std::string> spki;  // DER, base64
        std::optional<std::string> spkiHex;
        // The protocol's view of the key's attributes (views::keyAttributesJson), kept as that
        // view: its members are the protocol's, not the journal's.
        std::optional<nlohmann::json> attributes;
        nlohmann::json extra;  // members not known here (an object, or null for none)
    };
    /// One signed letter: what identifies it, never its bytes or its signature.
    struct Letter {
        std::optional<std::string> fileName;
        std::optional<std::string> sha1;  // upper-case hex: what the terms letter quotes
        std::optional<std::string> sha256;
        std::optional<std::string> cmsSha256;
        std::optional<std::string> signer;
        std::optional<std::string> signedAt;
        nlohmann::json extra;  // members not known here (an object, or null for none)
    };
    struct Letters {
        std::optional<Letter> acceptance;
        std::optional<Letter> terms;
        nlohmann::json extra;  // members not known here (an object, or null for none)
    };
    struct NewCertificate {
        std::optional<std::string> uri;
        std::optional<std::string> subject;
        std::optional<std::string> serial;
        std::optional<std::string> notAfter;
        std::optional<std::string> sha256;  // of the DER: a retried install must bring the same
        std::optional<std::string> issuer;
        nlohmann::json extra;  // members not known here (an object, or null for none)
    };
    struct HistoryEntry {
        RenewalStep state;
        std::string at;
        nlohmann::json extra;  // members not known here (an object, or null for none)
    };

    std::string renewalId;
    RenewalStep state = RenewalStep::Generating;
    std::string origin;  // the site that called begin; only it may continue
    std::optional<std::string> created;
    std::optional<std::string> updated;
    Token token;
    OldCertificate oldCertificate;
    NewKey newKey;
    std::optional<std::string> csr;  // PEM
    std::optional<Letters> letters;
    std::optional<std::string> possessionProved;  // when it was last proved
    std::optional<NewCertificate> newCertificate;
    std::optional<bool> retiredOld;
    std::optional<std::string> finishedAt;
    std::optional<std::string> cancelledAt;
    std::optional<std::string> cancelReason;  // a reason word, when the agent (not the person)
    std::optional<bool> newKeyRemoved;        // ended it
    std::vector<HistoryEntry> history;
    nlohmann::json extra;  // top-level members this agent does not know (object, or null)

    /// The journal's JSON: `format`, `version` (kVersion) and every member present.
    nlohmann::json toJson() const;

    /// The record a journal holds, or nullopt with `why` set in words (es-MX, completing "el
    /// archivo X.json …"): not a renewal journal, a newer version than kVersion, a member of the
    /// wrong type, or a state whose members are missing (what the renewal logic relies on: after
    /// a successful fromJson, the members its state promises are there).
    static std::optional<RenewalRecord> fromJson(const nlohmann::json& journal, std::string& why);

    /// Moves the record to `step`, with its history entry and the time.
    void advance(RenewalStep step);
    /// The renewal changed without changing step (a retried proof, a retried install).
    void touch();
};

}  // namespace firmante::renewal
