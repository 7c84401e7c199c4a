// `firmante doctor` against real faults, each observed by the doctor from the outside: a module
// path that does not exist, an agent that does not answer, a port held by another process (this
// test), a host manifest naming a missing program, a journal "folder" that is a file.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "AgentClient.h"
#include "AgentProcess.h"
#include "firmante/testing/Browser.h"
#include "firmante/testing/Process.h"
#include "firmante/testing/SoftHsmToken.h"
#include "firmante/testing/TempDir.h"

namespace {

namespace fs = std::filesystem;
using firmante::agent::testing::AgentClient;
using firmante::agent::testing::AgentProcess;
using firmante::testing::ProcessResult;
using firmante::testing::SoftHsmToken;
using firmante::testing::TempDir;
using nlohmann::json;

// A listening socket that is never accepted from: connections queue, nobody answers.
class SilentListener {
  public:
    SilentListener(int domain, const sockaddr* address, socklen_t length) {
        fd_ = ::socket(domain, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0 || ::bind(fd_, address, length) != 0 || ::listen(fd_, 8) != 0)
            throw std::runtime_error(std::string("listener: ") + std::strerror(errno));
    }
    ~SilentListener() { ::close(fd_); }
    int fd() const { return fd_; }

  private:
    int fd_ = -1;
};

class InstallerDoctor : public ::testing::Test {
  protected:
    std::map<std::string, std::string> env() const {
        return {{"HOME", (dir_ / "home").string()},
                {"XDG_CONFIG_HOME", (dir_ / "home/.config").string()},
                {"XDG_STATE_HOME", (dir_ / "home/.state").string()},
                {"XDG_RUNTIME_DIR", (dir_ / "run").string()},
                {"FIRMANTE_SOCKET", (dir_ / "run/agent.sock").string()},
                {"FIRMANTE_CONFIG", (dir_ / "config.json").string()},
                {"FIRMANTE_MODULE", SoftHsmToken::modulePath()},
                {"SOFTHSM2_CONF", hsm_.confPath().string()},
                {"FIRMANTE_WS_PORT", "0"},
                {"LANG", "es_MX.UTF-8"},
                {"LC_ALL", ""},
                {"LC_MESSAGES", ""}};
    }

    ProcessResult doctor(std::map<std::string, std::string> extra = {}, bool asJson = true) {
        auto e = env();
        for (auto& [k, v] : extra) e[k] = v;
        std::vector<std::string> argv{FIRMANTE_CLI, "doctor"};
        if (asJson) argv.push_back("--json");
        return firmante::testing::run(argv, {}, e);
    }

    static json report(const ProcessResult& r) {
        auto doc = json::parse(r.out, nullptr, false);
        EXPECT_FALSE(doc.is_discarded()) << r.out << r.err;
        return doc;
    }

    static json check(const json& report, const std::string& id) {
        for (const auto& c : report.value("checks", json::array()))
            if (c.value("id", "") == id) return c;
        ADD_FAILURE() << "no check " << id << " in " << report.dump(2);
        return json::object();
    }

    TempDir dir_{"firmante-doctor"};
    SoftHsmToken hsm_;
};

TEST_F(InstallerDoctor, SaysSigningCanWorkWithAModuleAndAToken) {
    const auto r = doctor();
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    const auto rep = report(r);
    EXPECT_EQ(rep["signingCanWork"], true);
    EXPECT_EQ(check(rep, "module")["status"], "ok");
    EXPECT_EQ(check(rep, "module")["details"]["path"], SoftHsmToken::modulePath());
    EXPECT_EQ(check(rep, "module")["details"]["source"], "FIRMANTE_MODULE");
    EXPECT_EQ(check(rep, "tokens")["details"]["tokens"][0]["label"], hsm_.label());
    EXPECT_EQ(check(rep, "journal")["status"], "ok");
    EXPECT_EQ(check(rep, "pdf-reader")["status"], "ok");  // firmante-pdf found next to the build
    // No agent runs: worth knowing, not a reason to say signing cannot work.
    EXPECT_EQ(check(rep, "agent")["status"], "warn");
}

TEST_F(InstallerDoctor, NamesAModulePathThatDoesNotExist) {
    const std::string missing = (dir_ / "no-such-module.so").string();
    const auto r = doctor({{"FIRMANTE_MODULE", missing}});
    EXPECT_EQ(r.exitCode, 5) << r.out;  // MODULE_NOT_FOUND, as in docs/cli.md
    const auto module = check(report(r), "module");
    EXPECT_EQ(module["status"], "fail");
    EXPECT_EQ(module["reason"], "MODULE_NOT_FOUND");
    EXPECT_NE(module["summary"].get<std::string>().find(missing), std::string::npos);
    EXPECT_FALSE(module.value("fix", "").empty());

    // The person's view: Spanish by default, English on request, both naming the path.
    const auto es = doctor({{"FIRMANTE_MODULE", missing}}, false);
    EXPECT_NE(es.out.find("[FALLA] module: el módulo PKCS#11 «" + missing + "»"), std::string::npos)
        << es.out;
    EXPECT_NE(es.out.find("Qué hacer:"), std::string::npos);
    const auto en = doctor({{"FIRMANTE_MODULE", missing}, {"LANG", "en_US.UTF-8"}}, false);
    EXPECT_NE(en.out.find("[FAIL] module: the PKCS#11 module «" + missing + "»"), std::string::npos)
        << en.out;
}

TEST_F(InstallerDoctor, FailsWhenTheAgentSocketDoesNotAnswer) {
    fs::create_directories(dir_ / "run");
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const auto path = (dir_ / "run/agent.sock").string();
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    SilentListener hung(AF_UNIX, reinterpret_cast<sockaddr*>(&address), sizeof address);

    const auto r = doctor();
    EXPECT_EQ(r.exitCode, 8) << r.out;  // NATIVE_UNAVAILABLE
    const auto rep = report(r);
    EXPECT_EQ(rep["signingCanWork"], false);
    const auto agent = check(rep, "agent");
    EXPECT_EQ(agent["status"], "fail");
    EXPECT_NE(agent["summary"].get<std::string>().find(path), std::string::npos);
    EXPECT_NE(agent["fix"].get<std::string>().find("systemctl --user restart"), std::string::npos);
}

TEST_F(InstallerDoctor, FailsWhenAnotherProcessHoldsTheWebSocketPort) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    SilentListener squatter(AF_INET, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(squatter.fd(), reinterpret_cast<sockaddr*>(&address), &length);
    const auto port = std::to_string(ntohs(address.sin_port));

    const auto r = doctor({{"FIRMANTE_WS_PORT", port}});
    EXPECT_EQ(r.exitCode, 8) << r.out;
    const auto c = check(report(r), "websocket-port");
    EXPECT_EQ(c["status"], "fail");
    EXPECT_EQ(c["reason"], "PORT_IN_USE");
    // The holder the doctor found in the kernel's tables is this very test process.
    EXPECT_EQ(c["details"]["owner"]["pid"], static_cast<long>(::getpid()));
}

TEST_F(InstallerDoctor, AcceptsThePortWhenTheRealAgentHoldsIt) {
    AgentProcess agent(dir_, hsm_, {{"FIRMANTE_WS_PORT", "auto"}});
    agent.start();
    AgentClient client(agent.socket());
    client.hello();
    const auto port = client.call("agent.info")["result"]["webSocketPort"].get<int>();

    const auto r = doctor(
        {{"FIRMANTE_SOCKET", agent.socket().string()}, {"FIRMANTE_WS_PORT", std::to_string(port)}});
    EXPECT_EQ(r.exitCode, 0) << r.out;
    const auto rep = report(r);
    EXPECT_EQ(check(rep, "agent")["status"], "ok");
    const auto c = check(rep, "websocket-port");
    EXPECT_EQ(c["status"], "ok") << c.dump();
    EXPECT_EQ(c["details"]["owner"]["pid"], agent.pid());
}

TEST_F(InstallerDoctor, FailsWhenAHostManifestPointsAtAMissingProgram) {
    // A Chromium profile makes Chromium count as installed; its user-level manifest is stale.
    const auto hosts = dir_ / "home/.config/chromium/NativeMessagingHosts";
    fs::create_directories(hosts);
    const std::string gone = (dir_ / "old-build/firmante-nmhost").string();
    firmante::testing::writeFile((hosts / "org.firmante.agent.json").string(),
                                 json{{"name", "org.firmante.agent"},
                                      {"path", gone},
                                      {"type", "stdio"},
                                      {"allowed_origins", {firmante::testing::kExtensionCaller}}}
                                     .dump());

    const auto r = doctor();
    EXPECT_EQ(r.exitCode, 8) << r.out;
    const auto c = check(report(r), "manifest.chromium");
    EXPECT_EQ(c["status"], "fail");
    EXPECT_EQ(c["reason"], "NATIVE_UNAVAILABLE");
    EXPECT_NE(c["summary"].get<std::string>().find(gone), std::string::npos);
}

TEST_F(InstallerDoctor, FailsWhenTheJournalFolderIsAFile) {
    fs::create_directories(dir_ / "home/.state/firmante");
    firmante::testing::writeFile((dir_ / "home/.state/firmante/renewals").string(), "not a folder");
    const auto r = doctor();
    EXPECT_NE(r.exitCode, 0);
    const auto c = check(report(r), "journal");
    EXPECT_EQ(c["status"], "fail");
    EXPECT_EQ(c["reason"], "NOT_WRITABLE");
}

}  // namespace
