// Runs the firmante-portal binary over loopback.

#include "PortalTestKit.h"

#include "firmante/portal/Pki.h"
#include "firmante/testing/Process.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <tuple>
#include <vector>

namespace firmante::portal::test {
namespace {

namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

/// Runs the binary with `args`; returns its exit status and stdout.
std::pair<int, std::string> runTool(const std::vector<std::string>& args) {
    std::vector<std::string> argv{FIRMANTE_PORTAL_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = firmante::testing::run(argv);
    return {r.exitCode, r.out};
}

class ServedPortal {
  public:
    explicit ServedPortal(const std::filesystem::path& stateDir) {
        int out[2];
        if (pipe(out) != 0) throw std::runtime_error("pipe");
        pid_ = fork();
        if (pid_ == 0) {
            dup2(out[1], 1);
            close(out[0]);
            execl(FIRMANTE_PORTAL_BINARY, FIRMANTE_PORTAL_BINARY, "serve", "--state-dir",
                  stateDir.c_str(), "--port", "0", static_cast<char*>(nullptr));
            _exit(127);
        }
        close(out[1]);
        // The first stdout line is the URL; poll with a deadline instead of sleeping.
        std::string line;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (line.find('\n') == std::string::npos &&
               std::chrono::steady_clock::now() < deadline) {
            pollfd p{out[0], POLLIN, 0};
            if (poll(&p, 1, 200) > 0) {
                char c[256];
                ssize_t n = read(out[0], c, sizeof c);
                if (n <= 0) break;
                line.append(c, n);
            }
        }
        close(out[0]);
        url_ = line.substr(0, line.find('\n'));
        if (url_.rfind("http://127.0.0.1:", 0) == 0) port_ = url_.substr(17);
    }
    ~ServedPortal() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            int status;
            waitpid(pid_, &status, 0);
        }
    }
    const std::string& url() const { return url_; }
    const std::string& port() const { return port_; }

    http::response<http::string_body> request(http::verb verb, const std::string& target,
                                              const std::string& body = {},
                                              const std::string& host = {}) {
        boost::asio::io_context io;
        tcp::socket socket(io);
        socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                     static_cast<unsigned short>(std::stoi(port_))));
        http::request<http::string_body> req(verb, target, 11);
        req.set(http::field::host, host.empty() ? "127.0.0.1:" + port_ : host);
        req.set(http::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
        http::write(socket, req);
        boost::beast::flat_buffer buffer;
        http::response<http::string_body> res;
        http::read(socket, buffer, res);
        return res;
    }

    /// Sends raw bytes and returns the status line's code of the answer.
    int raw(const std::string& bytes) {
        boost::asio::io_context io;
        tcp::socket socket(io);
        socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                     static_cast<unsigned short>(std::stoi(port_))));
        boost::asio::write(socket, boost::asio::buffer(bytes));
        boost::beast::flat_buffer buffer;
        http::response<http::string_body> res;
        http::read(socket, buffer, res);
        return static_cast<int>(res.result_int());
    }

  private:
    pid_t pid_ = -1;
    std::string url_;
    std::string port_;
};

TEST(PortalServer, Serve_PrintsItsLoopbackUrlAndAnswersTheApi) {
    TempDir dir;
    ServedPortal portal(dir.path());
    ASSERT_FALSE(portal.port().empty()) << "first line was: " << portal.url();
    auto health = portal.request(http::verb::get, "/api/health");
    EXPECT_EQ(health.result_int(), 200u);
    auto j = nlohmann::json::parse(health.body());
    EXPECT_EQ(j["origin"], portal.url());
    auto start = portal.request(http::verb::post, "/api/login/start", "{}");
    EXPECT_EQ(start.result_int(), 200u);
    EXPECT_NE(std::string(start[http::field::set_cookie]).find("IDSE_SESSION="), std::string::npos);
}

TEST(PortalServer, OversizedAndMalformedRequests_AreRefusedAndServingContinues) {
    TempDir dir;
    ServedPortal portal(dir.path());
    ASSERT_FALSE(portal.port().empty());
    const std::string host = "Host: 127.0.0.1:" + portal.port() + "\r\n";
    // Content-Length above the 4 MiB limit is refused before any body byte is sent.
    EXPECT_EQ(portal.raw("POST /api/login/start HTTP/1.1\r\n" + host +
                         "Content-Length: 99999999\r\n\r\n"),
              413);
    EXPECT_EQ(portal.raw("GARBAGE\r\n\r\n"), 400);
    EXPECT_EQ(portal.request(http::verb::get, "/api/health", "", "rebind.example").result_int(),
              421u);
    EXPECT_EQ(portal.request(http::verb::get, "/api/health").result_int(), 200u);
}

TEST(PortalServer, Pages_AreServedInSpanishWithTheImssHeader) {
    TempDir dir;
    ServedPortal portal(dir.path());
    ASSERT_FALSE(portal.port().empty());
    auto index = portal.request(http::verb::get, "/");
    ASSERT_EQ(index.result_int(), 200u);
    EXPECT_NE(index.body().find("INSTITUTO MEXICANO DEL SEGURO SOCIAL"), std::string::npos);
    EXPECT_NE(index.body().find("IDSE"), std::string::npos);
    auto renewal = portal.request(http::verb::get, "/renovacion");
    ASSERT_EQ(renewal.result_int(), 200u);
    EXPECT_NE(renewal.body().find("CAMPOS EDITABLES"), std::string::npos);
    for (const char* asset : {"/static/portal.css", "/static/portal-api.js", "/static/login.js",
                              "/static/renovacion.js", "/static/certificado.js"}) {
        auto r = portal.request(http::verb::get, asset);
        EXPECT_EQ(r.result_int(), 200u) << asset;
    }
    auto link = portal.request(http::verb::get, "/liga/0123abcd");
    EXPECT_NE(link.body().find("Obtener Certificado Digital"), std::string::npos);
    EXPECT_EQ(portal.request(http::verb::get, "/firmante.js").result_int(), 404u);
    EXPECT_EQ(portal.request(http::verb::get, "/static/../ca-key.pem").result_int(), 404u);
    EXPECT_EQ(portal.request(http::verb::get, "/buzon").result_int(), 200u);
}

TEST(PortalServer, IssueExpired_MakesTheEmployersCertificateFromACsr) {
    TempDir dir;
    auto key = makeRsaKey(2048);
    auto subject = EmployerRecord::demo().subject();
    {
        std::ofstream csr(dir.path() / "req.pem");
        // A CSR made "on the token" may carry any subject; the portal sets the employer's.
        X509NamePtr other(X509_NAME_new());
        X509_NAME_add_entry_by_txt(other.get(), "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>("token"), -1, -1, 0);
        csr << makeCsrPem(key.get(), other.get());
    }
    auto state = (dir.path() / "state").string();
    auto [rc, out] =
        runTool({"issue", "--state-dir", state, "--csr", (dir.path() / "req.pem").string(),
                 "--expired", "--out", (dir.path() / "cert.pem").string()});
    ASSERT_EQ(rc, 0);
    std::ifstream in(dir.path() / "cert.pem");
    std::string pem{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    X509Ptr cert = parseCertificate(Bytes(pem.begin(), pem.end()));
    EXPECT_EQ(nameEntry(X509_get_subject_name(cert.get()), NID_userId), "A064878710");
    EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), subject.get()), 0);
    EXPECT_LT(asn1TimeToTimePoint(X509_get0_notAfter(cert.get())),
              std::chrono::system_clock::now());
    EXPECT_EQ(spkiDer(X509_get0_pubkey(cert.get())), spkiDer(key.get()));

    auto [rc2, caPem] = runTool({"ca-cert", "--state-dir", state});
    ASSERT_EQ(rc2, 0);
    X509Ptr ca = parseCertificate(Bytes(caPem.begin(), caPem.end()));
    EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(ca.get())), 1);
}

TEST(PortalServer, IssuePfx_WritesALegacyPkcs12WithTheExpiredCertificate) {
    TempDir dir;
    auto pw = dir.path() / "pw";
    { std::ofstream(pw) << "secreto\n"; }
    int fd = open(pw.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    auto [rc, out] =
        runTool({"issue", "--state-dir", (dir.path() / "state").string(), "--expired", "--pfx",
                 (dir.path() / "legacy.pfx").string(), "--password-fd", std::to_string(fd)});
    close(fd);
    ASSERT_EQ(rc, 0);
    BioPtr bio(BIO_new_file((dir.path() / "legacy.pfx").c_str(), "rb"));
    Pkcs12Ptr p12(d2i_PKCS12_bio(bio.get(), nullptr));
    ASSERT_TRUE(p12);
    EVP_PKEY* key = nullptr;
    X509* cert = nullptr;
    ASSERT_EQ(PKCS12_parse(p12.get(), "secreto", &key, &cert, nullptr), 1);
    EvpPkeyPtr keyOwner(key);
    X509Ptr certOwner(cert);
    EXPECT_EQ(X509_check_private_key(cert, key), 1);
    EXPECT_EQ(nameEntry(X509_get_subject_name(cert), NID_userId), "A064878710");
    EXPECT_NE(PKCS12_parse(p12.get(), "otra", &key, &cert, nullptr), 1);
}

TEST(PortalServer, UnknownCommand_ExitsWithUsage) {
    EXPECT_EQ(runTool({"frobnicate", "--state-dir", "/nonexistent"}).first, 2);
    EXPECT_EQ(runTool({"serve"}).first, 2);
}

}  // namespace
}  // namespace firmante::portal::test

namespace firmante::portal::test {
namespace {

TEST(PortalPages, PageApiDir_ServesFirmanteJsAsAModule) {
    TempDir dir;
    std::filesystem::create_directories(dir.path() / "pageapi");
    { std::ofstream(dir.path() / "pageapi" / "firmante.js") << "export function request() {}\n"; }
    PortalOptions options;
    options.stateDir = dir.path() / "state";
    options.pageApiDir = dir.path() / "pageapi";
    Portal portal(options);
    PortalClient client(portal);
    auto r = client.get("/firmante.js");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.contentType, "text/javascript; charset=utf-8");
    EXPECT_NE(r.body.find("export function request"), std::string::npos);
}

// The pages as the binary serves them: the web folder copied next to it.
std::filesystem::path servedWebDir() {
    return std::filesystem::path(FIRMANTE_PORTAL_BINARY).parent_path() / "web";
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

TEST(PortalPages, EveryPageIsItsOwnContentInsideTheOneFrame) {
    TempDir dir;
    PortalOptions options;
    options.stateDir = dir.path() / "state";
    options.webDir = servedWebDir();
    Portal portal(options);
    PortalClient client(portal);
    const std::vector<std::tuple<std::string, std::string, std::string>> pages{
        {"/", "IDSE - IMSS desde su Empresa (portal de prueba)", "login.js"},
        {"/renovacion", "IDSE - Renovación de Certificado Digital (portal de prueba)",
         "renovacion.js"},
        {"/liga/0123abcd", "IDSE - Generación del Certificado (portal de prueba)",
         "certificado.js"},
        {"/buzon", "Buzón de correo (prueba) - IDSE", ""}};
    for (const auto& [path, title, script] : pages) {
        const auto r = client.get(path);
        ASSERT_EQ(r.status, 200) << path;
        EXPECT_EQ(r.contentType, "text/html; charset=utf-8") << path;
        EXPECT_TRUE(r.body.starts_with("<!DOCTYPE html>\n<html lang=\"es-MX\">")) << path;
        EXPECT_EQ(occurrences(r.body, "<title>" + title + "</title>"), 1u) << path;
        EXPECT_EQ(occurrences(r.body, "INSTITUTO MEXICANO DEL SEGURO SOCIAL"), 1u) << path;
        EXPECT_EQ(occurrences(r.body, "<main>"), 1u) << path;
        EXPECT_EQ(occurrences(r.body, "No es un sitio del IMSS."), 1u) << path;
        EXPECT_EQ(r.body.find("{{"), std::string::npos) << path << ": a slot left unfilled";
        EXPECT_EQ(r.body.find("titulo:"), std::string::npos) << path << ": the frame comment shown";
        if (!script.empty())
            EXPECT_EQ(occurrences(r.body, "<script type=\"module\" src=\"/static/" + script +
                                              "\"></script>"),
                      1u)
                << path;
        else
            EXPECT_EQ(r.body.find("<script"), std::string::npos) << path;
    }
}

TEST(PortalPages, APageWithoutWhatItsFrameNeedsIsAnErrorNotHalfAPage) {
    TempDir dir;
    const auto web = dir.path() / "web";
    std::filesystem::create_directories(web);
    std::filesystem::copy_file(servedWebDir() / "layout.html", web / "layout.html");
    { std::ofstream(web / "index.html") << "<h1>Paso 1</h1>\n"; }
    { std::ofstream(web / "renovacion.html") << "<!-- titulo: Renovación -->\n<h1>Paso 3</h1>\n"; }
    PortalOptions options;
    options.stateDir = dir.path() / "state";
    options.webDir = web;
    Portal portal(options);
    PortalClient client(portal);
    for (const char* path : {"/", "/renovacion"}) {
        const auto r = client.get(path);
        EXPECT_EQ(r.status, 500) << path;
        EXPECT_EQ(r.body.find("<h1>"), std::string::npos) << path << ": " << r.body;
    }
    // Without the frame itself no page is served at all.
    std::filesystem::remove(web / "layout.html");
    EXPECT_EQ(client.get("/renovacion").status, 404);
}

}  // namespace
}  // namespace firmante::portal::test
