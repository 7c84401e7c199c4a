// firmante-portal: the reference IDSE portal (test/demo only).
//
//   firmante-portal serve --state-dir DIR [--port N] [--cert-validity-days N]
//                         [--link-ttl-seconds N] [--web-dir DIR] [--page-api-dir DIR]
//   firmante-portal issue --state-dir DIR --csr req.pem [--expired] --out cert.pem
//   firmante-portal issue --state-dir DIR [--expired] --pfx out.pfx --password-fd N [--out
//   cert.pem] firmante-portal ca-cert --state-dir DIR

#include "firmante/portal/HttpServer.h"
#include "firmante/portal/Pki.h"
#include "firmante/portal/Portal.h"

#include <boost/asio/signal_set.hpp>

#include <openssl/pem.h>

#include <unistd.h>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

namespace fs = std::filesystem;
using namespace firmante::portal;
using Clock = std::chrono::system_clock;

namespace {

constexpr const char* kUsage =
    "uso / usage:\n"
    "  firmante-portal serve --state-dir DIR [--port N] [--cert-validity-days N]\n"
    "                        [--link-ttl-seconds N] [--web-dir DIR] [--page-api-dir DIR]\n"
    "  firmante-portal issue --state-dir DIR --csr req.pem [--expired] --out cert.pem\n"
    "  firmante-portal issue --state-dir DIR [--expired] --pfx out.pfx --password-fd N\n"
    "                        [--out cert.pem]\n"
    "  firmante-portal ca-cert --state-dir DIR\n";

struct Args {
    std::string command;
    std::map<std::string, std::string> values;
    bool has(const std::string& k) const { return values.count(k) > 0; }
    std::string get(const std::string& k) const {
        auto it = values.find(k);
        return it == values.end() ? std::string() : it->second;
    }
};

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

Args parseArgs(int argc, char** argv) {
    static const std::map<std::string, bool> kFlags = {
        {"--state-dir", true},
        {"--port", true},
        {"--cert-validity-days", true},
        {"--link-ttl-seconds", true},
        {"--web-dir", true},
        {"--page-api-dir", true},
        {"--csr", true},
        {"--out", true},
        {"--pfx", true},
        {"--password-fd", true},
        {"--expired", false},
    };
    if (argc < 2) throw UsageError("missing command");
    Args args;
    args.command = argv[1];
    for (int i = 2; i < argc; ++i) {
        std::string flag = argv[i];
        auto it = kFlags.find(flag);
        if (it == kFlags.end()) throw UsageError("unknown option " + flag);
        if (it->second) {
            if (i + 1 >= argc) throw UsageError(flag + " needs a value");
            args.values[flag] = argv[++i];
        } else {
            args.values[flag] = "1";
        }
    }
    if (!args.has("--state-dir")) throw UsageError("--state-dir is required");
    return args;
}

long number(const Args& a, const std::string& flag, long fallback, long min, long max) {
    if (!a.has(flag)) return fallback;
    std::string s = a.get(flag);
    long v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < min || v > max)
        throw UsageError(flag + " must be a number in [" + std::to_string(min) + ", " +
                         std::to_string(max) + "]");
    return v;
}

void writeFile(const fs::path& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
    if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
}

fs::path defaultWebDir(const char* argv0) {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) exe = fs::absolute(argv0);
    for (const fs::path& candidate :
         {exe.parent_path() / "web",
          exe.parent_path() / ".." / "share" / "firmante-portal" / "web"})
        if (fs::exists(candidate / "index.html")) return candidate;
    return {};
}

int serve(const Args& a, const char* argv0) {
    PortalOptions options;
    options.stateDir = a.get("--state-dir");
    options.certValidityDays = static_cast<int>(number(a, "--cert-validity-days", 730, 1, 3650));
    options.linkTtl = std::chrono::seconds(number(a, "--link-ttl-seconds", 900, 1, 86400 * 7));
    options.webDir = a.has("--web-dir") ? fs::path(a.get("--web-dir")) : defaultWebDir(argv0);
    if (a.has("--page-api-dir")) options.pageApiDir = a.get("--page-api-dir");
    const auto port = static_cast<uint16_t>(number(a, "--port", 8080, 0, 65535));

    Portal portal(options);
    boost::asio::io_context io;
    HttpServer server(io, portal, port);
    server.start();
    std::cout << "http://127.0.0.1:" << server.port() << std::endl;
    std::cerr << "firmante-portal: estado en " << options.stateDir.string() << ", buzón en "
              << (options.stateDir / "outbox").string() << std::endl;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
    io.run();
    return 0;
}

std::string readPassword(int fd) {
    std::string password;
    char c;
    while (::read(fd, &c, 1) == 1 && c != '\n') {
        if (password.size() > 1024) throw std::runtime_error("password too long");
        password += c;
    }
    if (!password.empty() && password.back() == '\r') password.pop_back();
    return password;
}

int issue(const Args& a) {
    CertificateAuthority ca = CertificateAuthority::openOrCreate(a.get("--state-dir"));
    const auto now = Clock::now();
    const auto year = std::chrono::hours(24 * 365);
    const bool expired = a.has("--expired");
    const auto notBefore = expired ? now - 2 * year : now - std::chrono::minutes(5);
    const auto notAfter = expired ? now - year : now + year;

    if (a.has("--csr")) {
        if (!a.has("--out")) throw UsageError("--out is required with --csr");
        std::ifstream in(a.get("--csr"), std::ios::binary);
        if (!in) throw std::runtime_error("cannot read " + a.get("--csr"));
        std::string pem{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        auto bio = readOnlyBio(pem.data(), pem.size());
        X509ReqPtr csr(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
        if (!csr) throwOpenSsl("not a PEM certificate request: " + a.get("--csr"));
        X509Ptr cert = Portal::issueEmployerCertificate(ca, csr.get(), notBefore, notAfter);
        writeFile(a.get("--out"), certificatePem(cert.get()));
        return 0;
    }
    if (a.has("--pfx")) {
        if (!a.has("--password-fd")) throw UsageError("--pfx needs --password-fd");
        std::string password =
            readPassword(static_cast<int>(number(a, "--password-fd", 0, 0, 1 << 20)));
        EvpPkeyPtr key(EVP_RSA_gen(2048));
        if (!key) throwOpenSsl("EVP_RSA_gen");
        X509NamePtr subject = EmployerRecord::demo().subject();
        X509Ptr cert = ca.issue(subject.get(), key.get(), notBefore, notAfter);
        X509StackPtr chain(sk_X509_new_null());
        X509_up_ref(ca.certificate());
        sk_X509_push(chain.get(), ca.certificate());
        // AES-256 + SHA-256 MAC (PKCS12_create's OpenSSL 3 defaults).
        Pkcs12Ptr p12(PKCS12_create(password.c_str(), "A064878710", key.get(), cert.get(),
                                    chain.get(), 0, 0, 0, 0, 0));
        OPENSSL_cleanse(password.data(), password.size());
        if (!p12) throwOpenSsl("PKCS12_create");
        BioPtr out(BIO_new_file(a.get("--pfx").c_str(), "wb"));
        if (!out || i2d_PKCS12_bio(out.get(), p12.get()) != 1) throwOpenSsl("cannot write pfx");
        if (a.has("--out")) writeFile(a.get("--out"), certificatePem(cert.get()));
        return 0;
    }
    throw UsageError("issue needs --csr or --pfx");
}

}  // namespace

int main(int argc, char** argv) {
    try {
        Args args = parseArgs(argc, argv);
        if (args.command == "serve") return serve(args, argv[0]);
        if (args.command == "issue") return issue(args);
        if (args.command == "ca-cert") {
            std::cout
                << CertificateAuthority::openOrCreate(args.get("--state-dir")).certificatePem();
            return 0;
        }
        throw UsageError("unknown command " + args.command);
    } catch (const UsageError& e) {
        std::cerr << "firmante-portal: " << e.what() << "\n" << kUsage;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "firmante-portal: error: " << e.what() << "\n";
        return 1;
    }
}
