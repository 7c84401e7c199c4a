#include "CliTest.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

namespace firmante::cli::test {

ProcessResult runWithSecrets(std::vector<std::string> argv, const std::vector<std::string>& secrets,
                             const std::map<std::string, std::string>& env) {
    std::vector<int> readEnds;
    for (const auto& secret : secrets) {
        int p[2];
        if (pipe(p) != 0) throw std::runtime_error("pipe failed");
        // The write end must not leak into the child, or the child would never see EOF.
        fcntl(p[1], F_SETFD, FD_CLOEXEC);
        std::string line = secret + "\n";
        if (write(p[1], line.data(), line.size()) != static_cast<ssize_t>(line.size()))
            throw std::runtime_error("short write to pipe");
        close(p[1]);
        readEnds.push_back(p[0]);
    }
    for (auto& a : argv)
        for (std::size_t i = 0; i < readEnds.size(); ++i)
            if (a == "{fd" + std::to_string(i) + "}") a = std::to_string(readEnds[i]);
    ProcessResult r;
    try {
        r = run(argv, {}, env);
    } catch (...) {
        for (int fd : readEnds) close(fd);
        throw;
    }
    for (int fd : readEnds) close(fd);
    return r;
}

CliTest::CliTest() {}

std::map<std::string, std::string> CliTest::env() const {
    return {
        {"FIRMANTE_MODULE", firmante::testing::SoftHsmToken::modulePath()},
        {"FIRMANTE_PINENTRY", ""},
        // A socket path where no agent listens: these tests exercise the direct token path.
        {"FIRMANTE_SOCKET", path("no-agent.sock")},
        {"XDG_CONFIG_HOME", path("config")},
        {"FIRMANTE_CONFIG", ""},
        {"LC_ALL", ""},
        {"LC_MESSAGES", ""},
        {"LANG", "es_MX.UTF-8"},
    };
}

ProcessResult CliTest::withPin(std::vector<std::string> args, const std::string& pin,
                               std::map<std::string, std::string> extraEnv) {
    std::vector<std::string> argv{FIRMANTE_CLI};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--pin-fd", "{fd0}"});
    auto e = env();
    for (auto& [k, v] : extraEnv) e[k] = v;
    return runWithSecrets(argv, {pin}, e);
}

ProcessResult CliTest::withPinAndPassword(std::vector<std::string> args, const std::string& pin,
                                          const std::string& password) {
    std::vector<std::string> argv{FIRMANTE_CLI};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--pin-fd", "{fd0}", "--password-fd", "{fd1}"});
    return runWithSecrets(argv, {pin, password}, env());
}

ProcessResult CliTest::plain(std::vector<std::string> args,
                             std::map<std::string, std::string> extraEnv) {
    std::vector<std::string> argv{FIRMANTE_CLI};
    argv.insert(argv.end(), args.begin(), args.end());
    auto e = env();
    for (auto& [k, v] : extraEnv) e[k] = v;
    return run(argv, {}, e);
}

nlohmann::json CliTest::json(const ProcessResult& r) {
    auto doc = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << "stdout is not one JSON document:\n"
                                     << r.out << "\nstderr:\n"
                                     << r.err;
    return doc.is_discarded() ? nlohmann::json::object() : doc;
}

std::string CliTest::keygen(const std::string& type, const std::string& label) {
    auto r = withPin({"keygen", "--type", type, "--label", label, "--json"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    auto doc = json(r);
    if (!doc.contains("key")) return {};
    return doc["key"]["uri"].get<std::string>();
}

ProcessResult CliTest::tool(const std::vector<std::string>& argv) {
    auto r = run(argv);
    EXPECT_EQ(r.exitCode, 0) << argv[0] << " failed:\n" << r.out << r.err;
    return r;
}

void CliTest::makeCa() {
    if (std::filesystem::exists(path("ca.pem"))) return;
    tool({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
          "-nodes", "-keyout", path("ca.key"), "-out", path("ca.pem"), "-subj",
          "/CN=Firmante Test CA/O=Pruebas", "-days", "30"});
}

std::string CliTest::issueCertificate(const std::string& keyUri, const std::string& subject,
                                      const std::string& name, const std::string& days) {
    auto req = path(name + ".csr");
    auto r = withPin({"csr", "--key", keyUri, "--subject", subject, "--out", req});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    auto cert = path(name + ".pem");
    tool({"openssl", "x509", "-req", "-in", req, "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
          "-CAcreateserial", "-out", cert, "-days", days});
    return cert;
}

}  // namespace firmante::cli::test
