// Issue 10 §3: the journal as a versioned type. Journals written before it (version 1, as the
// agent wrote them until then) still load and resume; a newer version is refused, never
// rewritten; members this agent does not know survive a save.
#include <utility>
#include <vector>

#include "Base64.h"
#include "RenewalFixture.h"
#include "RenewalRecord.h"
#include "Timestamp.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/testing/Process.h"

namespace firmante::renewal::testing {
namespace {

using nlohmann::json;

// A journal in state "acceptanceSigned" exactly as the agent wrote it before RenewalRecord
// (version 1): a copy of one that agent (commit ad694b6) wrote in
// RenewalJournalFile.IsPrivateValidJsonWithoutDocumentOrSignatureBytes, every member in place.
// What belongs to that run's token and keys (URIs, serials, keys, the certificate, hashes of the
// letter) is put in where `@NAME@` stands, as JSON values, so that the renewal can go on here.
constexpr const char* kVersion1Journal = R"({
  "created": "2026-11-26T15:08:01Z",
  "csr": @CSR@,
  "format": "firmante-renewal-journal",
  "history": [
    {
      "at": "2026-11-26T15:08:01Z",
      "state": "generating"
    },
    {
      "at": "2026-11-26T15:08:02Z",
      "state": "begun"
    },
    {
      "at": "2026-11-26T15:09:40Z",
      "state": "acceptanceSigned"
    }
  ],
  "letters": {
    "acceptance": {
      "cmsSha256": @CMS_SHA256@,
      "fileName": "CartadeAceptaciondeRenovacion.pdf",
      "sha1": @SHA1@,
      "sha256": @SHA256@,
      "signedAt": "2026-11-26T15:09:40Z",
      "signer": "serialNumber=A064878710,CN=PRUEBA 4 PRUEBA,O=PRUEBA 4,C=MX"
    }
  },
  "newKey": {
    "attributes": {
      "alwaysAuthenticate": false,
      "alwaysSensitive": true,
      "extractable": false,
      "local": true,
      "neverExtractable": true,
      "provenance": "El dispositivo confirma que la llave se generó en él y nunca salió de él. / The token confirms the key was generated on it and never left it.",
      "provenanceConfirmed": true,
      "sensitive": true
    },
    "id": @NEW_KEY_ID@,
    "keyType": "ec-p256",
    "label": @NEW_KEY_LABEL@,
    "spki": @NEW_SPKI@,
    "spkiHex": @NEW_SPKI_HEX@,
    "uri": @NEW_KEY_URI@
  },
  "oldCertificate": {
    "der": @OLD_DER@,
    "expired": true,
    "keyLabel": "PRUEBA 4",
    "keyUri": @OLD_KEY_URI@,
    "label": "PRUEBA 4",
    "notAfter": @OLD_NOT_AFTER@,
    "serial": @OLD_SERIAL@,
    "spkiHex": @OLD_SPKI_HEX@,
    "subject": "serialNumber=A064878710,CN=PRUEBA 4 PRUEBA,O=PRUEBA 4,C=MX",
    "uri": @OLD_URI@
  },
  "origin": "http://127.0.0.1:8080",
  "renewalId": @ID@,
  "state": "acceptanceSigned",
  "token": {
    "label": @TOKEN_LABEL@,
    "serial": @TOKEN_SERIAL@,
    "uri": @TOKEN_URI@
  },
  "updated": "2026-11-26T15:09:40Z",
  "version": 1
}
)";

std::string filled(std::string text, const std::vector<std::pair<std::string, json>>& values) {
    for (const auto& [name, value] : values) {
        const std::string mark = "@" + name + "@";
        for (auto at = text.find(mark); at != std::string::npos; at = text.find(mark))
            text.replace(at, mark.size(), value.dump());
    }
    EXPECT_EQ(text.find('@'), std::string::npos) << text;
    return text;
}

class RenewalRecordFile : public RenewalFixture {
  protected:
    /// A renewal begun and its acceptance letter signed by this agent, then its journal replaced
    /// by kVersion1Journal holding the same facts. Returns the renewal id.
    std::string writeVersion1Journal() {
        const json begun = begin();
        const std::string id = begun.at("renewalId");
        const pkcs11::Bytes letter = acceptanceLetter(begun.at("spkiHex"));
        const json signedLetter = signAcceptance(id, letter);
        const pkcs11::Uri newKeyUri = pkcs11::Uri::parse(begun.at("uri").get<std::string>());
        const pkcs11::TokenInfo info = token().info();
        pkcs11::Uri tokenUri;
        tokenUri.token = info.label;
        tokenUri.serial = info.serial;
        version1Text_ =
            filled(kVersion1Journal,
                   {{"CSR", begun.at("csr")},
                    {"CMS_SHA256", hexOf(pkcs11::sha256(decodeBase64(signedLetter.at("cms"))))},
                    {"SHA1", upperHex(pkcs11::sha1(letter))},
                    {"SHA256", hexOf(pkcs11::sha256(letter))},
                    {"NEW_KEY_ID", hexOf(newKeyUri.id.value())},
                    {"NEW_KEY_LABEL", newKeyUri.object.value()},
                    {"NEW_SPKI", begun.at("spki")},
                    {"NEW_SPKI_HEX", begun.at("spkiHex")},
                    {"NEW_KEY_URI", begun.at("uri")},
                    {"OLD_DER", base64Encode(oldCert_.der)},
                    {"OLD_KEY_URI", oldKey_.uri.str()},
                    {"OLD_NOT_AFTER", formatTimestamp(oldCert_.notAfter)},
                    {"OLD_SERIAL", oldCert_.serialHex},
                    {"OLD_SPKI_HEX", pkcs11::spkiHex(oldCert_.spki)},
                    {"OLD_URI", oldCert_.uri.str()},
                    {"ID", id},
                    {"TOKEN_LABEL", info.label},
                    {"TOKEN_SERIAL", info.serial},
                    {"TOKEN_URI", tokenUri.str()}});
        firmante::testing::writeFile(journalFile(id).string(), version1Text_);
        acceptanceLetters[id] = letter;
        return id;
    }

    std::string version1Text_;
};

TEST_F(RenewalRecordFile, AVersion1JournalAsTheAgentWroteItLoadsAndTheRenewalFinishes) {
    const std::string id = writeVersion1Journal();
    restart();

    // renewal.status shows the journal as it was, without format and version, with the step.
    json expected = json::parse(version1Text_);
    expected.erase("format");
    expected.erase("version");
    expected["step"] = 2;
    expected["stepName"] = "Carta de Aceptación de Renovación firmada con el certificado actual";
    expected["manualStep"] = 6;
    expected["next"] = "renewal.prove_possession";
    EXPECT_EQ(manager().status(id), expected);

    prove(id);
    install(id);
    const json hex = json::parse(version1Text_).at("newKey").at("spkiHex");
    signTerms(id, termsLetter(hex, upperHex(pkcs11::sha1(acceptanceLetters.at(id)))));
    EXPECT_EQ(finish(id, true).at("retired"), true);
    restart();
    EXPECT_EQ(manager().status(id).at("state"), "finished");

    // Saved again as version 2; what the version 1 journal held is all still there.
    const json saved = json::parse(firmante::testing::readFile(journalFile(id).string()));
    EXPECT_EQ(saved.at("version"), RenewalRecord::kVersion);
    EXPECT_EQ(saved.at("created"), "2026-11-26T15:08:01Z");
    EXPECT_EQ(saved.at("letters").at("acceptance"), expected.at("letters").at("acceptance"));
    EXPECT_EQ(saved.at("oldCertificate"), expected.at("oldCertificate"));
    EXPECT_EQ(saved.at("history").size(), 7u);
}

TEST_F(RenewalRecordFile, EveryMemberOfAVersion1JournalIsTypedAndWrittenBackAsItWas) {
    const std::string id = writeVersion1Journal();
    const json journal = json::parse(version1Text_);
    std::string why;
    const std::optional<RenewalRecord> rec = RenewalRecord::fromJson(journal, why);
    ASSERT_TRUE(rec) << why;
    EXPECT_EQ(rec->renewalId, id);
    EXPECT_EQ(rec->state, RenewalStep::AcceptanceSigned);
    // Nothing today's agent writes is left untyped.
    EXPECT_TRUE(rec->extra.empty()) << rec->extra.dump();
    EXPECT_TRUE(rec->token.extra.empty());
    EXPECT_TRUE(rec->oldCertificate.extra.empty()) << rec->oldCertificate.extra.dump();
    EXPECT_TRUE(rec->newKey.extra.empty()) << rec->newKey.extra.dump();
    ASSERT_TRUE(rec->letters && rec->letters->acceptance);
    EXPECT_TRUE(rec->letters->acceptance->extra.empty());
    EXPECT_EQ(rec->newKey.uri.value_or(""), journal.at("newKey").at("uri").get<std::string>());
    EXPECT_EQ(rec->oldCertificate.der.value_or(""),
              journal.at("oldCertificate").at("der").get<std::string>());

    json again = journal;
    again["version"] = RenewalRecord::kVersion;
    EXPECT_EQ(rec->toJson(), again);
}

TEST_F(RenewalRecordFile, AJournalWithoutVersionLoadsAsVersion1) {
    const std::string id = writeVersion1Journal();
    json journal = json::parse(version1Text_);
    journal.erase("version");
    firmante::testing::writeFile(journalFile(id).string(), journal.dump(2));
    restart();
    EXPECT_EQ(manager().status(id).at("state"), "acceptanceSigned");
    EXPECT_NO_THROW(prove(id));
}

TEST_F(RenewalRecordFile, ANewerVersionIsListedAsCorruptAndNeverRewritten) {
    const json begun = begin();
    const std::string id = begun.at("renewalId");
    json journal = json::parse(firmante::testing::readFile(journalFile(id).string()));
    journal["version"] = 3;
    journal["somethingNew"] = {{"of", "version 3"}};
    const std::string text = journal.dump(2);
    firmante::testing::writeFile(journalFile(id).string(), text);
    restart();

    const json status = manager().status(id);
    EXPECT_EQ(status.at("state"), "corrupt");
    EXPECT_NE(status.at("error").get<std::string>().find(
                  "versión 3 del diario, más nueva que la que este agente conoce"),
              std::string::npos)
        << status.dump();
    const auto e = errorOf([&] { prove(id); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reason(), pkcs11::Reason::RenewalState);
    const auto cancelled = errorOf([&] { manager().cancel(token(), auth_, kOrigin, id); });
    ASSERT_TRUE(cancelled);
    EXPECT_EQ(cancelled->reason(), pkcs11::Reason::RenewalState);
    // A new renewal on the same certificate is another journal; this one stays as it was.
    EXPECT_NE(begin().at("renewalId"), id);
    EXPECT_EQ(firmante::testing::readFile(journalFile(id).string()), text);
}

TEST_F(RenewalRecordFile, MembersThisAgentDoesNotKnowSurviveASave) {
    const json begun = begin();
    const std::string id = begun.at("renewalId");
    json journal = json::parse(firmante::testing::readFile(journalFile(id).string()));
    journal["portalReference"] = "IDSE-2026-000123";
    journal["newKey"]["note"] = {{"from", "a later agent"}};
    firmante::testing::writeFile(journalFile(id).string(), journal.dump(2));
    restart();
    EXPECT_EQ(manager().status(id).at("portalReference"), "IDSE-2026-000123");

    signAcceptance(id, acceptanceLetter(begun.at("spkiHex")));
    const json saved = json::parse(firmante::testing::readFile(journalFile(id).string()));
    EXPECT_EQ(saved.at("state"), "acceptanceSigned");
    EXPECT_EQ(saved.at("portalReference"), "IDSE-2026-000123");
    EXPECT_EQ(saved.at("newKey").at("note").at("from"), "a later agent");
}

// What fromJson says about journals it cannot use, in the words `status` shows.
std::string whyNot(const json& journal) {
    std::string why;
    EXPECT_FALSE(RenewalRecord::fromJson(journal, why)) << journal.dump();
    return why;
}

TEST(RenewalRecordFromJson, SaysInWordsWhatIsWrong) {
    const json generating = {
        {"renewalId", "abc"},
        {"state", "generating"},
        {"origin", "https://idse.example"},
        {"token", {{"label", "Firmante"}, {"serial", "01"}}},
        {"oldCertificate", {{"uri", "pkcs11:token=Firmante;id=%01;type=cert"}}},
        {"newKey", {{"label", "Renovación abc"}}},
        {"history", json::array()}};
    std::string why;
    EXPECT_TRUE(RenewalRecord::fromJson(generating, why)) << why;

    EXPECT_EQ(whyNot(json::array()), "no es un diario de renovación");
    EXPECT_EQ(whyNot({{"state", "begun"}}), "no es un diario de renovación");
    json unknown = generating;
    unknown["state"] = "flying";
    EXPECT_EQ(whyNot(unknown), "está incompleto: estado desconocido");
    json begun = generating;
    begun["state"] = "begun";
    EXPECT_EQ(whyNot(begun), "está incompleto: falta la llave nueva");
    json noToken = generating;
    noToken.erase("token");
    EXPECT_EQ(whyNot(noToken),
              "está incompleto: faltan el origen, el token o el certificado anterior");
    json wrongType = generating;
    wrongType["oldCertificate"]["expired"] = "sí";
    EXPECT_EQ(whyNot(wrongType), "tiene el miembro «oldCertificate.expired» ilegible");
    json newer = generating;
    newer["version"] = 7;
    EXPECT_EQ(whyNot(newer),
              "es de la versión 7 del diario, más nueva que la que este agente "
              "conoce; se dejó como está");
    json unreadable = generating;
    unreadable["version"] = "2";
    EXPECT_EQ(whyNot(unreadable), "tiene una versión del diario ilegible");
}

}  // namespace
}  // namespace firmante::renewal::testing
