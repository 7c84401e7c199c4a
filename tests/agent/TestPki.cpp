#include "TestPki.h"

#include "firmante/pkcs11/Module.h"
#include "firmante/pkcs11/Secret.h"
#include "firmante/pkcs11/Token.h"
#include "firmante/testing/AlwaysAuthenticate.h"

namespace firmante::agent::testing {

namespace {

// The subject the agent's suites have always given a token key's certificate.
std::string subjectOf(const std::string& label) {
    return "/CN=" + label + "/O=Firmante Tests";
}

}  // namespace

ProvisionedCertificate provisionCertificate(const firmante::testing::SoftHsmToken& hsm,
                                            const TestCa& ca, const std::string& label,
                                            pkcs11::KeyType type, bool expired) {
    const auto day = std::chrono::hours(24);
    return expired ? provisionCertificate(hsm, ca, label, type, -1 * day)
                   : provisionCertificate(hsm, ca, label, type, 365 * day);
}

ProvisionedCertificate provisionCertificate(const firmante::testing::SoftHsmToken& hsm,
                                            const TestCa& ca, const std::string& label,
                                            pkcs11::KeyType type, std::chrono::hours validFor) {
    auto module = pkcs11::Module::load(firmante::testing::SoftHsmToken::modulePath());
    ProvisionedCertificate out;
    {
        auto token = pkcs11::Token::open(module, hsm.label());
        token.login(pkcs11::Secret(firmante::testing::SoftHsmToken::kUserPin));
        auto key = token.generateKeyPair(type, label);
        const auto day = std::chrono::hours(24);
        const auto now = std::chrono::system_clock::now();
        // An expired one began long ago, as the demo's does.
        const auto notBefore = now - (validFor.count() < 0 ? 800 * day : day);
        out.der = ca.issue(key.spki, subjectOf(label), notBefore, now + validFor);
        auto stored = token.storeCertificate(out.der, label);
        out.uri = stored.uri.str();
        out.spki = key.spki;
        token.logout();
    }
    return out;
}

ProvisionedCertificate provisionAlwaysAuthenticateCertificate(
    const firmante::testing::SoftHsmToken& hsm, const TestCa& ca, const std::string& label) {
    auto module = pkcs11::Module::load(firmante::testing::SoftHsmToken::modulePath());
    ProvisionedCertificate out;
    {
        auto token = pkcs11::Token::open(module, hsm.label());
        token.login(pkcs11::Secret(firmante::testing::SoftHsmToken::kUserPin));
        auto key = firmante::testing::generateAlwaysAuthenticateKey(token, label, true, {0x5a});
        out.der = ca.issue(key.spki, subjectOf(label));
        auto stored = token.storeCertificate(out.der, label);
        out.uri = stored.uri.str();
        out.spki = key.spki;
        token.logout();
    }
    return out;
}

firmante::testing::ProcessResult opensslCmsVerify(const TestCa& ca,
                                                  const std::filesystem::path& dir,
                                                  std::span<const unsigned char> content,
                                                  std::span<const unsigned char> cms,
                                                  bool ignoreTime) {
    const auto file = [&](const char* name, std::span<const unsigned char> bytes) {
        const auto path = (dir / name).string();
        firmante::testing::writeFile(path, std::string(bytes.begin(), bytes.end()));
        return path;
    };
    std::vector<std::string> argv{"openssl",  "cms",
                                  "-verify",  "-binary",
                                  "-inform",  "DER",
                                  "-in",      file("signature.p7s", cms),
                                  "-content", file("signed-content", content),
                                  "-CAfile",  ca.pemPath().string(),
                                  "-out",     "/dev/null"};
    if (ignoreTime) argv.push_back("-no_check_time");
    return firmante::testing::run(argv);
}

}  // namespace firmante::agent::testing
