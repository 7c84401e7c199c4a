#include "RenewalFixture.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "PdfLetter.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Secret.h"
#include "firmante/testing/Process.h"

namespace firmante::renewal::testing {

using firmante::testing::SoftHsmToken;
using nlohmann::json;

void RenewalFixture::SetUp() {
    ca_ = std::make_unique<TestCa>(TestCa::kImssName);
    module_ = pkcs11::Module::load(modulePath());
    token_.emplace(pkcs11::Token::open(module_, hsm_.label()));

    // The employer's situation of the manual's step 2: a key on the token whose certificate has
    // expired.
    asUser([&] {
        oldKey_ = token().generateKeyPair(pkcs11::KeyType::Rsa2048, "PRUEBA 4");
        const auto now = std::chrono::system_clock::now();
        const pkcs11::Bytes der =
            ca_->issue(oldKey_.spki, kSubject, now - std::chrono::hours(24 * 730),
                       now - std::chrono::hours(24));
        oldCert_ = token().storeCertificate(der, "PRUEBA 4");
        return 0;
    });
    ASSERT_TRUE(oldCert_.expired);
    manager_ = std::make_unique<RenewalManager>(journalDir());
}

void RenewalFixture::TearDown() {
    manager_.reset();
    token_.reset();
    module_.reset();
}

void RenewalFixture::reopenToken() {
    token_.reset();
    module_.reset();
    module_ = pkcs11::Module::load(modulePath());
    token_.emplace(pkcs11::Token::open(module_, hsm_.label()));
}

void RenewalFixture::restart() {
    manager_.reset();
    token_.reset();
    module_.reset();
    module_ = pkcs11::Module::load(modulePath());
    token_.emplace(pkcs11::Token::open(module_, hsm_.label()));
    manager_ = std::make_unique<RenewalManager>(journalDir());
}

json RenewalFixture::begin(pkcs11::KeyType type) {
    json result = manager().begin(token(), auth_, kOrigin, oldCert_.uri, type);
    csrs[result.at("renewalId").get<std::string>()] = result.at("csr").get<std::string>();
    return result;
}

pkcs11::Bytes RenewalFixture::acceptanceLetter(const std::string& newSpkiHex) const {
    std::vector<std::string> lines = {
        "INSTITUTO MEXICANO DEL SEGURO SOCIAL",
        "Carta de Aceptacion de Renovacion de Certificado Digital",
        "El que suscribe Sr.(a) PRUEBA 4 PRUEBA, representante legal de la empresa PRUEBA 4,",
        "acepta los terminos y condiciones para la renovacion de su Certificado Digital.",
        "",
        "Llave Publica Nueva"};
    for (auto& l : wrapHex(newSpkiHex)) lines.push_back(l);
    lines.push_back("Llave Publica Anterior");
    for (auto& l : wrapHex(pkcs11::spkiHex(oldKey_.spki))) lines.push_back(l);
    lines.push_back("No. De Folio: 88 a5 f3 56 9e 1e d3 5b 11 81 6c 22 cd 7b 27 4a");
    lines.push_back("Usuario: A064878710");
    return makePdfLetter(lines);
}

pkcs11::Bytes RenewalFixture::termsLetter(const std::string& newSpkiHex,
                                          const std::string& previousSha1) const {
    std::vector<std::string> lines = {"INSTITUTO MEXICANO DEL SEGURO SOCIAL",
                                      "Carta de terminos y condiciones para la "
                                      "obtencion-renovacion y uso del Certificado Digital",
                                      "", "Llave Publica Nueva"};
    for (auto& l : wrapHex(newSpkiHex)) lines.push_back(l);
    lines.push_back("Cadena de Identificacion de Carta Anterior");
    lines.push_back(previousSha1);
    lines.push_back("Usuario: A064878710");
    return makePdfLetter(lines);
}

json RenewalFixture::signAcceptance(const std::string& id, const pkcs11::Bytes& letter) {
    reopenToken();
    json r = manager().signLetter(token(), auth_, kOrigin, id, "acceptance", letter,
                                  "CartadeAceptaciondeRenovacion.pdf");
    acceptanceLetters[id] = letter;
    return r;
}

json RenewalFixture::signTerms(const std::string& id, const pkcs11::Bytes& letter) {
    reopenToken();
    return manager().signLetter(token(), auth_, kOrigin, id, "terms", letter,
                                "CartaTerminosCondiciones.pdf");
}

json RenewalFixture::prove(const std::string& id) {
    reopenToken();
    return manager().provePossession(token(), auth_, kOrigin, id, randomBytes(32));
}

json RenewalFixture::install(const std::string& id) {
    reopenToken();
    const pkcs11::Bytes der = ca_->issueFromCsr(csrs.at(id));
    return manager().installCertificate(token(), auth_, kOrigin, id, der, {});
}

json RenewalFixture::finish(const std::string& id, bool retireOld) {
    reopenToken();
    return manager().finish(token(), auth_, kOrigin, id, retireOld);
}

int RenewalFixture::opensslVerify(const pkcs11::Bytes& document, const pkcs11::Bytes& cms,
                                  bool noCheckTime, std::string* error) {
    static int n = 0;
    const std::string base = (work_ / ("verify" + std::to_string(++n))).string();
    firmante::testing::writeFile(base + ".pdf", std::string(document.begin(), document.end()));
    firmante::testing::writeFile(base + ".p7s", std::string(cms.begin(), cms.end()));
    std::vector<std::string> argv = {"openssl",  "cms",         "-verify", "-binary",
                                     "-inform",  "DER",         "-in",     base + ".p7s",
                                     "-content", base + ".pdf", "-CAfile", ca_->pemPath().string(),
                                     "-purpose", "any",         "-out",    "/dev/null"};
    if (noCheckTime) argv.push_back("-no_check_time");
    const auto r = firmante::testing::run(argv);
    if (error) *error = r.err;
    return r.exitCode;
}

std::optional<pkcs11::Error> errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const pkcs11::Error& e) {
        return e;
    }
    ADD_FAILURE() << "expected a pkcs11::Error, none was thrown";
    return std::nullopt;
}

std::string hexOf(const pkcs11::Bytes& bytes) {
    return pkcs11::toHex(bytes);
}

std::string upperHex(const pkcs11::Bytes& bytes) {
    std::string s = pkcs11::toHex(bytes);
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

pkcs11::Bytes decodeBase64(const std::string& text) {
    pkcs11::Bytes out(text.size() / 4 * 3 + 3);
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0) throw std::runtime_error("bad base64");
    std::size_t size = static_cast<std::size_t>(n);
    for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) --size;
    out.resize(size);
    return out;
}

pkcs11::Bytes randomBytes(std::size_t n) {
    pkcs11::Bytes out(n);
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) throw std::runtime_error("RAND_bytes");
    return out;
}

std::string foreignSpkiHex() {
    pkcs11::EvpPkeyPtr key(EVP_EC_gen("P-256"));
    return pkcs11::spkiHex(pkcs11::publicKeySpki(key.get()));
}

}  // namespace firmante::renewal::testing
