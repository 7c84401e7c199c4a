// The whole renewal of the IMSS manual (steps 4–12) against a SoftHSM token, every signature
// checked by OpenSSL's own command line against the test CA.
#include <openssl/pem.h>

#include "RenewalFixture.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Challenge.h"
#include "firmante/pkcs11/Cms.h"
#include "firmante/testing/Process.h"

namespace firmante::renewal::testing {
namespace {

using nlohmann::json;

class RenewalFlow : public RenewalFixture {};

TEST_F(RenewalFlow, CompletesFromBeginToFinishWithSignaturesOpenSslVerifies) {
    // Step 4: a new RSA key on the token and a CSR with the current subject.
    const json begun = begin(pkcs11::KeyType::Rsa2048);
    const std::string id = begun.at("renewalId");
    EXPECT_GE(id.size(), 16u);
    EXPECT_EQ(
        id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    EXPECT_EQ(begun.at("keyType"), "rsa-2048");
    const pkcs11::Bytes spki = decodeBase64(begun.at("spki"));
    EXPECT_EQ(begun.at("spkiHex"), pkcs11::spkiHex(spki));
    EXPECT_TRUE(begun.at("spkiHex").get<std::string>().starts_with(
        "03 82 01 0f 00 30 82 01 0a 02 82 01 01 00 "));
    const json& attributes = begun.at("keyAttributes");
    EXPECT_EQ(attributes.at("local"), true);
    EXPECT_EQ(attributes.at("neverExtractable"), true);
    EXPECT_EQ(attributes.at("alwaysSensitive"), true);
    EXPECT_EQ(attributes.at("extractable"), false);
    EXPECT_EQ(attributes.at("alwaysAuthenticate"), false);
    // Issue 11 §5: SoftHSM vouches for the key, and the words say so.
    EXPECT_EQ(attributes.at("provenanceConfirmed"), true);
    EXPECT_TRUE(attributes.at("provenance")
                    .get<std::string>()
                    .starts_with("El dispositivo confirma que la llave se generó en él"));

    // The key's attributes, read back from the token independently of the manager.
    const pkcs11::KeyInfo newKey =
        asUser([&] { return token().key(pkcs11::Uri::parse(begun.at("uri").get<std::string>())); });
    EXPECT_EQ(newKey.spki, spki);
    EXPECT_TRUE(newKey.attributes.local);
    EXPECT_TRUE(newKey.attributes.neverExtractable);
    EXPECT_TRUE(newKey.attributes.alwaysSensitive);
    EXPECT_TRUE(newKey.attributes.sensitive);
    EXPECT_FALSE(newKey.attributes.extractable);
    EXPECT_NE(newKey.id, oldKey_.id);

    // The CSR verifies with its own key and carries the current certificate's subject.
    const std::string csrPath = (work_ / "renewal.csr").string();
    firmante::testing::writeFile(csrPath, begun.at("csr").get<std::string>());
    const auto verified =
        firmante::testing::run({"openssl", "req", "-verify", "-noout", "-in", csrPath});
    EXPECT_EQ(verified.exitCode, 0) << verified.err;
    {
        pkcs11::BioPtr in(BIO_new_file(csrPath.c_str(), "r"));
        std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> req(
            PEM_read_bio_X509_REQ(in.get(), nullptr, nullptr, nullptr), &X509_REQ_free);
        ASSERT_NE(req, nullptr);
        const pkcs11::X509Ptr old = pkcs11::decodeCertificate(oldCert_.der);
        EXPECT_EQ(
            X509_NAME_cmp(X509_REQ_get_subject_name(req.get()), X509_get_subject_name(old.get())),
            0);
        pkcs11::EvpPkeyPtr reqKey(X509_REQ_get_pubkey(req.get()));
        EXPECT_EQ(pkcs11::publicKeySpki(reqKey.get()), spki);
    }

    // Steps 5–6: the acceptance letter, signed with the expired certificate.
    const pkcs11::Bytes letter1 = acceptanceLetter(begun.at("spkiHex"));
    const json signed1 = signAcceptance(id, letter1);
    const pkcs11::Bytes cms1 = decodeBase64(signed1.at("cms"));
    EXPECT_EQ(signed1.at("documentSha256"), hexOf(pkcs11::sha256(letter1)));
    EXPECT_EQ(signed1.at("signer"), oldCert_.subject);
    std::string err;
    EXPECT_EQ(opensslVerify(letter1, cms1, true, &err), 0) << err;
    // Without ignoring time it fails: proof that the expired certificate signed it.
    EXPECT_NE(opensslVerify(letter1, cms1, false), 0);
    const pkcs11::CmsVerification v1 = pkcs11::verifyDetached(letter1, cms1);
    EXPECT_EQ(v1.signerCertificate, oldCert_.der);
    EXPECT_TRUE(v1.signingCertificateV2);

    // Step 9: proof of possession with the new key, bound to the origin.
    const pkcs11::Bytes nonce = randomBytes(32);
    reopenToken();
    const json proof = manager().provePossession(token(), auth_, kOrigin, id, nonce);
    EXPECT_EQ(proof.at("algorithm"), "RS256");
    EXPECT_EQ(proof.at("spki"), begun.at("spki"));
    const pkcs11::EvpPkeyPtr newPublic = pkcs11::publicKeyFromSpki(spki);
    EXPECT_TRUE(pkcs11::verifyChallenge(newPublic.get(), kOrigin, nonce,
                                        decodeBase64(proof.at("signature"))));
    EXPECT_FALSE(pkcs11::verifyChallenge(newPublic.get(), "https://evil.example", nonce,
                                         decodeBase64(proof.at("signature"))));

    // Step 9: the new certificate goes next to the new key.
    const pkcs11::Bytes newDer = ca_->issueFromCsr(begun.at("csr"));
    reopenToken();
    const json installed = manager().installCertificate(token(), auth_, kOrigin, id, newDer, {});
    const pkcs11::CertificateInfo newCert =
        token().certificate(pkcs11::Uri::parse(installed.at("uri").get<std::string>()));
    EXPECT_EQ(newCert.der, newDer);
    EXPECT_EQ(newCert.label, newKey.label);
    EXPECT_EQ(installed.at("subject"), oldCert_.subject);
    EXPECT_EQ(installed.at("serial"), newCert.serialHex);
    EXPECT_FALSE(installed.at("notAfter").get<std::string>().empty());

    // Steps 10–11: the terms letter, carrying the SHA-1 of letter 1, signed with the new one.
    const pkcs11::Bytes letter2 = termsLetter(begun.at("spkiHex"), upperHex(pkcs11::sha1(letter1)));
    const json signed2 = signTerms(id, letter2);
    const pkcs11::Bytes cms2 = decodeBase64(signed2.at("cms"));
    EXPECT_EQ(opensslVerify(letter2, cms2, false, &err), 0) << err;
    EXPECT_EQ(pkcs11::verifyDetached(letter2, cms2).signerCertificate, newDer);

    // Step 12.
    EXPECT_EQ(finish(id, false), (json{{"done", true}, {"retired", false}}));
    const json status = manager().status(id);
    EXPECT_EQ(status.at("state"), "finished");
    EXPECT_EQ(status.at("step"), 6);
    EXPECT_EQ(status.at("manualStep"), 12);
    EXPECT_EQ(status.at("origin"), kOrigin);
    EXPECT_EQ(status.at("letters").at("acceptance").at("sha1"), upperHex(pkcs11::sha1(letter1)));
    EXPECT_EQ(status.at("letters").at("acceptance").at("sha256"), hexOf(pkcs11::sha256(letter1)));
    EXPECT_EQ(status.at("letters").at("terms").at("cmsSha256"), hexOf(pkcs11::sha256(cms2)));
    EXPECT_EQ(status.at("newCertificate").at("uri"), installed.at("uri"));
    // Without retireOld the working certificate stays.
    EXPECT_EQ(token().certificate(oldCert_.uri).der, oldCert_.der);

    // What the person was shown, prompt by prompt.
    ASSERT_EQ(auth_.unlocks.size(), 5u);
    EXPECT_TRUE(auth_.confirms.empty());
    EXPECT_EQ(auth_.unlocks[0].operation,
              "Generar una llave nueva en el token para renovar el certificado");
    const OperationDescription& sign1 = auth_.unlocks[1];
    EXPECT_EQ(sign1.operation, "Firmar la Carta de Aceptación de Renovación");
    EXPECT_EQ(sign1.origin, kOrigin);
    EXPECT_EQ(sign1.fileName, "CartadeAceptaciondeRenovacion.pdf");
    EXPECT_EQ(sign1.documentSha256Hex, hexOf(pkcs11::sha256(letter1)));
    EXPECT_EQ(sign1.tokenLabel, hsm_.label());
    EXPECT_EQ(sign1.keyLabel, "PRUEBA 4");
    ASSERT_TRUE(sign1.check.has_value());
    EXPECT_TRUE(sign1.check->es.starts_with("La carta muestra, bajo «Llave Pública Nueva»"));
    EXPECT_EQ(sign1.check->en,
              "The letter shows, under “Llave Pública Nueva”, the key generated on your token.");
    // Issue 9 §2: the new key by SHA-256 of its SPKI in groups of four (the DER header of an
    // RSA-2048 key, shown before, is the same for every key).
    std::string fingerprint;
    const std::string digest = hexOf(pkcs11::sha256(spki));
    for (std::size_t i = 0; i < digest.size(); i += 4)
        fingerprint += (i ? " " : "") + digest.substr(i, 4);
    EXPECT_EQ(sign1.keyFingerprint, fingerprint);
    const OperationDescription& sign2 = auth_.unlocks[4];
    EXPECT_EQ(sign2.operation, "Firmar la Carta de Términos y Condiciones");
    EXPECT_EQ(sign2.keyLabel, newKey.label);
    EXPECT_NE(sign2.check->es.find(upperHex(pkcs11::sha1(letter1))), std::string::npos);
    EXPECT_NE(sign2.check->en.find("of the letter you signed (" + upperHex(pkcs11::sha1(letter1))),
              std::string::npos)
        << sign2.check->en;
    // Each operation logs out behind itself.
    EXPECT_FALSE(token().loggedIn());
}

TEST_F(RenewalFlow, BeginLabelsTheNewKeyAfterTheOldOneAndReportsItsUri) {
    const json begun = begin();
    EXPECT_EQ(begun.at("keyType"), "ec-p256");
    EXPECT_TRUE(begun.at("spkiHex").get<std::string>().starts_with("03 42 00 04 "));
    const pkcs11::KeyInfo key =
        asUser([&] { return token().key(pkcs11::Uri::parse(begun.at("uri").get<std::string>())); });
    EXPECT_TRUE(key.label.starts_with("PRUEBA 4 (renovación ")) << key.label;
    EXPECT_EQ(manager().tokenOf(begun.at("renewalId")).token, hsm_.label());
}

TEST_F(RenewalFlow, BeginWithAnUnknownCertificateFailsBeforeAnyPrompt) {
    pkcs11::Uri missing = oldCert_.uri;
    missing.id = pkcs11::Bytes{0xde, 0xad};
    const auto e = errorOf(
        [&] { manager().begin(token(), auth_, kOrigin, missing, pkcs11::KeyType::EcP256); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reason(), pkcs11::Reason::CertificateNotFound);
    EXPECT_EQ(auth_.calls(), 0u);
    EXPECT_TRUE(manager().status(std::nullopt).at("renewals").empty());
}

TEST_F(RenewalFlow, ACancelledPinPromptLeavesNoRenewalBehind) {
    struct Cancelling : RecordingAuthorizer {
        void unlock(pkcs11::Token&, const OperationDescription&) override {
            throw pkcs11::Error(pkcs11::Reason::UserCancelled, "cancelado");
        }
    } cancelling;
    const auto e = errorOf([&] {
        manager().begin(token(), cancelling, kOrigin, oldCert_.uri, pkcs11::KeyType::EcP256);
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reason(), pkcs11::Reason::UserCancelled);
    EXPECT_TRUE(manager().status(std::nullopt).at("renewals").empty());
    EXPECT_EQ(asUser([&] { return token().keys().size(); }), 1u);
}

}  // namespace
}  // namespace firmante::renewal::testing
