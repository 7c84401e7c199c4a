#include "RenewalRecord.h"

#include <set>
#include <type_traits>
#include <utility>

#include "Timestamp.h"

namespace firmante::renewal {

using json = nlohmann::json;

namespace {

using Record = RenewalRecord;

/// `visit(name, field)` for each pair of a name and a field.
template <typename Visit, typename Field, typename... Rest>
void each(Visit& visit, const char* name, Field& field, Rest&... rest) {
    visit(name, field);
    if constexpr (sizeof...(rest) > 0) each(visit, rest...);
}

/// The one list of each object's members and their names in the journal, read by fromJson and
/// written by toJson: `visit(name, field)` for every member, in any order (nlohmann sorts).
/// `renewalId` and `state` are checked before the rest and `format`/`version` are the file's.
template <typename Visit, typename T>
void members(Visit& visit, T& o) {
    using S = std::remove_const_t<T>;
    if constexpr (std::is_same_v<S, Record>) {
        each(visit, "renewalId", o.renewalId, "state", o.state, "origin", o.origin, "created",
             o.created, "updated", o.updated, "token", o.token, "oldCertificate", o.oldCertificate,
             "newKey", o.newKey, "csr", o.csr, "letters", o.letters, "possessionProved",
             o.possessionProved, "newCertificate", o.newCertificate, "retiredOld", o.retiredOld,
             "finishedAt", o.finishedAt, "cancelledAt", o.cancelledAt, "cancelReason",
             o.cancelReason, "newKeyRemoved", o.newKeyRemoved, "history", o.history);
    } else if constexpr (std::is_same_v<S, Record::Token>) {
        each(visit, "uri", o.uri, "label", o.label, "serial", o.serial);
    } else if constexpr (std::is_same_v<S, Record::OldCertificate>) {
        each(visit, "uri", o.uri, "label", o.label, "keyUri", o.keyUri, "keyLabel", o.keyLabel,
             "subject", o.subject, "serial", o.serial, "notAfter", o.notAfter, "expired", o.expired,
             "spkiHex", o.spkiHex, "der", o.der);
    } else if constexpr (std::is_same_v<S, Record::NewKey>) {
        each(visit, "label", o.label, "keyType", o.keyType, "uri", o.uri, "id", o.id, "spki",
             o.spki, "spkiHex", o.spkiHex, "attributes", o.attributes);
    } else if constexpr (std::is_same_v<S, Record::Letters>) {
        each(visit, "acceptance", o.acceptance, "terms", o.terms);
    } else if constexpr (std::is_same_v<S, Record::Letter>) {
        each(visit, "fileName", o.fileName, "sha1", o.sha1, "sha256", o.sha256, "cmsSha256",
             o.cmsSha256, "signer", o.signer, "signedAt", o.signedAt);
    } else if constexpr (std::is_same_v<S, Record::NewCertificate>) {
        each(visit, "uri", o.uri, "subject", o.subject, "serial", o.serial, "notAfter", o.notAfter,
             "sha256", o.sha256, "issuer", o.issuer);
    } else {
        static_assert(std::is_same_v<S, Record::HistoryEntry>);
        each(visit, "state", o.state, "at", o.at);
    }
}

/// An object of the journal: it has its own members and keeps the ones not known here.
template <typename T>
concept JournalObject = requires(T o) {
    o.extra;
};

/// Reads one JSON object's members into typed fields. Remembers which members it took, so the
/// others are kept as `extra`, and the first problem, in words, so that fromJson can say why a
/// journal is unusable instead of the renewal logic failing later on a member it cannot read.
class Reader {
  public:
    Reader(const json& object, std::string where, std::string& why)
        : object_(object), where_(std::move(where)), why_(why) {}

    /// Absent: the field keeps its default (whether the state needs it is checked later).
    template <typename T>
    void operator()(const char* key, T& field) {
        taken_.insert(key);
        const auto it = object_.find(key);
        if (it != object_.end() && !read(*it, field, where_ + key) && why_.empty())
            why_ = "tiene el miembro «" + where_ + key + "» ilegible";
    }
    void skip(const char* key) { taken_.insert(key); }

    /// The members not read: kept as they are, written back as they were.
    json rest() const {
        json extra = json::object();
        for (const auto& [key, value] : object_.items())
            if (!taken_.contains(key)) extra[key] = value;
        return extra;
    }

  private:
    bool read(const json& value, std::string& field, const std::string&) {
        if (!value.is_string()) return false;
        field = value.get<std::string>();
        return true;
    }
    bool read(const json& value, bool& field, const std::string&) {
        if (!value.is_boolean()) return false;
        field = value.get<bool>();
        return true;
    }
    bool read(const json& value, json& field, const std::string&) {
        field = value;
        return true;
    }
    bool read(const json& value, RenewalStep& field, const std::string&) {
        const auto step = value.is_string() ? parseStep(value.get<std::string>()) : std::nullopt;
        if (step) field = *step;
        return step.has_value();
    }
    template <typename T>
    bool read(const json& value, std::optional<T>& field, const std::string& path) {
        T parsed{};
        if (!read(value, parsed, path)) return false;
        field = std::move(parsed);
        return true;
    }
    template <JournalObject T>
    bool read(const json& value, T& field, const std::string& path) {
        if (!value.is_object()) return false;
        Reader inner(value, path + ".", why_);
        members(inner, field);
        field.extra = inner.rest();
        return true;
    }
    template <typename T>
    bool read(const json& value, std::vector<T>& field, const std::string& path) {
        if (!value.is_array()) return false;
        for (const json& element : value) {
            T item{};
            if (!read(element, item, path + "[]")) return false;
            field.push_back(std::move(item));
        }
        return true;
    }

    const json& object_;
    std::string where_;  // "newKey.", for the message
    std::string& why_;
    std::set<std::string> taken_;
};

json written(const std::string& value) {
    return value;
}
json written(bool value) {
    return value;
}
json written(const json& value) {
    return value;
}
json written(RenewalStep step) {
    return std::string(stepName(step));
}
template <JournalObject T>
json written(const T& object);
template <typename T>
json written(const std::vector<T>& items) {
    json out = json::array();
    for (const auto& item : items) out.push_back(written(item));
    return out;
}

/// Writes every member present into one JSON object, over the members kept from the journal.
struct Writer {
    json& out;
    template <typename T>
    void operator()(const char* key, const std::optional<T>& field) {
        if (field) out[key] = written(*field);
    }
    template <typename T>
    void operator()(const char* key, const T& field) {
        out[key] = written(field);
    }
};

template <JournalObject T>
json written(const T& object) {
    json out = object.extra.is_object() ? object.extra : json::object();
    Writer writer{out};
    members(writer, object);
    return out;
}

/// What the renewal logic relies on in each state (it reads these without asking again). Empty
/// when the record holds it all, else what is missing.
std::string missingForState(const Record& rec, const json& journal) {
    const auto present = [&](const char* object, const char* key) {
        const auto it = journal.find(object);
        return it != journal.end() && it->is_object() && it->contains(key);
    };
    if (!journal.contains("origin") || !present("token", "label") || !present("token", "serial") ||
        !present("oldCertificate", "uri") || !present("newKey", "label"))
        return "faltan el origen, el token o el certificado anterior";
    // A cancelled renewal may have ended at any step before the certificate; it needs no more.
    if (rec.state == RenewalStep::Cancelled) return {};
    const auto& key = rec.newKey;
    if (rec.state >= RenewalStep::Begun &&
        !(rec.oldCertificate.keyUri && key.uri && key.spki && key.spkiHex))
        return "falta la llave nueva";
    if (rec.state >= RenewalStep::AcceptanceSigned &&
        !(rec.letters && rec.letters->acceptance && rec.letters->acceptance->sha1))
        return "falta la Carta de Aceptación";
    if (rec.state >= RenewalStep::CertificateInstalled &&
        !(rec.newCertificate && rec.newCertificate->uri && rec.newCertificate->sha256))
        return "falta el certificado nuevo";
    return {};
}

}  // namespace

std::optional<RenewalRecord> RenewalRecord::fromJson(const json& journal, std::string& why) {
    why.clear();
    if (!journal.is_object()) {
        why = "no es un diario de renovación";
        return std::nullopt;
    }
    // Checked first: a newer agent may have changed anything else, and its journal is left as it
    // is for that agent (never rewritten in a shape it would not read).
    if (const auto version = journal.find("version"); version != journal.end()) {
        if (!version->is_number_integer() || version->get<long long>() < 1) {
            why = "tiene una versión del diario ilegible";
            return std::nullopt;
        }
        if (version->get<long long>() > kVersion) {
            why = "es de la versión " + std::to_string(version->get<long long>()) +
                  " del diario, más nueva que la que este agente conoce; se dejó como está";
            return std::nullopt;
        }
    }
    const auto id = journal.find("renewalId");
    const auto state = journal.find("state");
    if (id == journal.end() || !id->is_string() || state == journal.end() || !state->is_string()) {
        why = "no es un diario de renovación";
        return std::nullopt;
    }
    if (!parseStep(state->get<std::string>())) {
        why = "está incompleto: estado desconocido";
        return std::nullopt;
    }

    RenewalRecord rec;
    Reader reader(journal, "", why);
    reader.skip("format");
    reader.skip("version");
    members(reader, rec);
    if (!why.empty()) return std::nullopt;
    rec.extra = reader.rest();
    if (const std::string missing = missingForState(rec, journal); !missing.empty()) {
        why = "está incompleto: " + missing;
        return std::nullopt;
    }
    return rec;
}

json RenewalRecord::toJson() const {
    json out = written(*this);
    out["format"] = kFormat;
    out["version"] = kVersion;
    return out;
}

void RenewalRecord::advance(RenewalStep step) {
    const std::string at = nowTimestamp();
    state = step;
    updated = at;
    history.push_back({.state = step, .at = at});
}

void RenewalRecord::touch() {
    updated = nowTimestamp();
}

}  // namespace firmante::renewal
