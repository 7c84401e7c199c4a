#include "HumanViews.h"

#include "Messages.h"
#include "RenewCommand.h"
#include "Table.h"

namespace firmante::cli {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

std::string str(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return {};
    if (it->is_string()) return it->get<std::string>();
    return it->dump();
}

bool flag(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_boolean() && it->get<bool>();
}

std::string yesNo(bool b) {
    return b ? tr("yes") : tr("no");
}

std::string pinState(const nlohmann::json& t) {
    std::string s = flag(t, "pinLocked")     ? tr("pinState.locked")
                    : flag(t, "pinFinalTry") ? tr("pinState.finalTry")
                    : flag(t, "pinCountLow") ? tr("pinState.countLow")
                                             : tr("pinState.ok");
    if (flag(t, "pinpad")) s += " " + tr("pinState.pinpad");
    return s;
}

// The first bytes of the letter's key format, enough to compare by eye with a printed letter.
std::string spkiHexPrefix(const std::string& hex) {
    constexpr std::size_t kPairs = 16;
    std::size_t pos = 0;
    for (std::size_t i = 0; i < kPairs && pos != std::string::npos; ++i)
        pos = hex.find(' ', pos + 1);
    return pos == std::string::npos ? hex : hex.substr(0, pos) + " …";
}

Fields keyFields(const nlohmann::json& k) {
    const auto& a = k.at("keyAttributes");
    return {
        {tr("field.uri"), str(k, "uri")},
        {tr("field.label"), str(k, "label")},
        {tr("field.algorithm"), str(k, "algorithm")},
        {tr("field.spkiSha256"), str(k, "spkiSha256")},
        {tr("field.spkiHex"), spkiHexPrefix(str(k, "spkiHex"))},
        {tr("field.local"), yesNo(flag(a, "local"))},
        {tr("field.alwaysSensitive"), yesNo(flag(a, "alwaysSensitive"))},
        {tr("field.neverExtractable"), yesNo(flag(a, "neverExtractable"))},
        {tr("field.extractable"), yesNo(flag(a, "extractable"))},
        {tr("field.provenance"), flag(a, "local") && flag(a, "neverExtractable") &&
                                         flag(a, "alwaysSensitive") && !flag(a, "extractable")
                                     ? tr("provenance.confirmed")
                                     : tr("provenance.unknown")},
    };
}

Fields certificateFields(const nlohmann::json& c) {
    std::string key = str(c, "keyUri");
    return {
        {tr("field.subject"), str(c, "subject")},
        {tr("field.issuer"), str(c, "issuer")},
        {tr("field.serial"), str(c, "serial")},
        {tr("field.notBefore"), str(c, "notBefore")},
        {tr("field.notAfter"), str(c, "notAfter")},
        {tr("field.expired"), yesNo(flag(c, "expired"))},
        {tr("field.uri"), str(c, "uri")},
        {tr("field.key"), key.empty() ? tr("cert.noKey") : key},
    };
}

std::string tokens(const nlohmann::json& r) {
    std::string out =
        str(r, "via") == "agent"
            ? tr("tokens.viaAgent", {str(r.at("agent"), "version"), str(r.at("agent"), "socket")})
            : tr("tokens.module", {str(r, "module"), str(r, "moduleSource")});
    out += "\n\n";
    if (r.at("tokens").empty()) return out + tr("tokens.none") + "\n";
    Table table({tr("field.label"), tr("field.manufacturer"), tr("field.model"),
                 tr("field.serialToken"), tr("field.pin"), tr("field.uri")});
    for (const auto& t : r.at("tokens"))
        table.add({str(t, "label"), str(t, "manufacturer"), str(t, "model"), str(t, "serial"),
                   pinState(t), str(t, "uri")});
    return out + table.render();
}

std::string certs(const nlohmann::json& r) {
    // Through the agent the list spans every token, so there is no single label to name.
    bool oneToken = r.contains("token");
    std::string label = oneToken ? str(r.at("token"), "label") : std::string();
    if (r.at("certificates").empty())
        return (oneToken ? tr("certs.none", {label}) : tr("certs.noneAll")) + "\n";
    std::string out = (oneToken ? tr("certs.header", {label}) : tr("certs.headerAll")) + "\n";
    int n = 0;
    for (const auto& c : r.at("certificates")) {
        out += "\n" + tr("certs.item", {std::to_string(++n)}) + "\n";
        out += Table::record(certificateFields(c));
    }
    return out;
}

std::string keys(const nlohmann::json& r) {
    std::string label = str(r.at("token"), "label");
    if (r.at("keys").empty()) return tr("keys.none", {label}) + "\n";
    Table table({tr("field.label"), tr("field.algorithm"), tr("field.local"), tr("field.uri")});
    for (const auto& k : r.at("keys"))
        table.add({str(k, "label"), str(k, "algorithm"),
                   yesNo(flag(k.at("keyAttributes"), "local")), str(k, "uri")});
    return tr("keys.header", {label}) + "\n\n" + table.render();
}

std::string keygen(const nlohmann::json& r) {
    return tr("keygen.done", {str(r.at("token"), "label")}) + "\n" +
           Table::record(keyFields(r.at("key")));
}

std::string csr(const nlohmann::json& r) {
    return tr("csr.done", {str(r, "out")}) + "\n" +
           Table::record({{tr("field.subject"), str(r, "subject")},
                          {tr("field.key"), str(r, "key")},
                          {tr("field.algorithm"), str(r, "algorithm")}});
}

std::string sign(const nlohmann::json& r) {
    if (r.contains("signatures")) {
        const auto& list = r.at("signatures");
        std::string text = tr("signBatch.done", {std::to_string(list.size())}) + "\n";
        for (const auto& s : list) {
            text += Table::record({{tr("field.file"), str(s, "in")},
                                   {tr("field.documentSha256"), str(s, "documentSha256")},
                                   {"→", str(s, "out")}}) +
                    "\n";
        }
        return text + Table::record({{tr("field.signer"), str(r, "signer")},
                                     {tr("field.certificate"), str(r, "certificate")}});
    }
    return tr("sign.done", {str(r, "out")}) + "\n" +
           Table::record({{tr("field.file"), str(r, "in")},
                          {tr("field.documentSha256"), str(r, "documentSha256")},
                          {tr("field.signer"), str(r, "signer")},
                          {tr("field.certificate"), str(r, "certificate")}});
}

std::string verify(const nlohmann::json& r) {
    std::string time = str(r, "signingTime");
    std::string chain = flag(r, "chainVerified") ? tr("verify.chainOk", {str(r, "ca")})
                                                 : tr("verify.chainNotChecked");
    return tr("verify.valid") + "\n" +
           Table::record({{tr("field.file"), str(r, "in")},
                          {tr("field.documentSha256"), str(r, "documentSha256")},
                          {tr("field.signer"), str(r, "signer")},
                          {tr("field.serial"), str(r, "signerSerial")},
                          {tr("field.signingTime"), time.empty() ? tr("verify.noTime") : time},
                          {tr("field.signingCertificateV2"),
                           flag(r, "signingCertificateV2") ? tr("present") : tr("absent")},
                          {tr("field.chain"), chain}});
}

std::string importCert(const nlohmann::json& r) {
    return tr("importCert.done", {str(r.at("token"), "label")}) + "\n" +
           Table::record(certificateFields(r.at("certificate")));
}

std::string importPfx(const nlohmann::json& r) {
    return tr("importPfx.done", {str(r.at("token"), "label")}) + "\n" + tr("importPfx.key") + "\n" +
           Table::record(keyFields(r.at("key"))) + tr("importPfx.certificate") + "\n" +
           Table::record(certificateFields(r.at("certificate")));
}

}  // namespace

std::string renderHuman(const std::string& verb, const nlohmann::json& r) {
    if (verb == "tokens") return tokens(r);
    if (verb == "certs") return certs(r);
    if (verb == "keys") return keys(r);
    if (verb == "keygen") return keygen(r);
    if (verb == "csr") return csr(r);
    if (verb == "sign") return sign(r);
    if (verb == "verify") return verify(r);
    if (verb == "import-cert") return importCert(r);
    if (verb == "import-pfx") return importPfx(r);
    if (verb == "renew") return renderRenewSummary(r);
    return r.dump(2) + "\n";
}

}  // namespace firmante::cli
