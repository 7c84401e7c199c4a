// doctor: the agent answers on its socket, and the WebSocket port is held by the agent — a port
// held by another program would let that program receive a portal's requests.
#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "Doctor.h"
#include "Messages.h"
#include "firmante/nm/FdFrameIo.h"
#include "firmante/protocol/AgentSocketPath.h"
#include "firmante/protocol/MethodTable.h"
#include "firmante/protocol/PeerCredentials.h"
#include "firmante/protocol/ReasonEnums.h"
#include "firmante/protocol/UniqueFd.h"
#include "firmante/websocket/WebSocketPort.h"

namespace firmante::cli::doctor {
namespace {

namespace fs = std::filesystem;

// Long enough for an agent that is busy with a token, short enough for a person waiting.
constexpr int kAgentTimeoutSeconds = 3;

struct AgentAnswer {
    enum class Kind { Answered, NotRunning, Silent, Refused } kind = Kind::NotRunning;
    nlohmann::json info;
    std::string detail;
};

using Fd = protocol::UniqueFd;

nlohmann::json request(int fd, const nlohmann::json& message) {
    nm::writeFrame(fd, message.dump());
    for (;;) {
        // value() throws at an end of stream or a bad frame; SO_RCVTIMEO ends a silent wait.
        auto reply = nlohmann::json::parse(nm::readFrame(fd).value(), nullptr, false);
        if (reply.is_discarded() || !reply.is_object()) throw std::runtime_error("not JSON-RPC");
        if (reply.value("id", nlohmann::json()) == message["id"]) return reply;
    }
}

// Our own short exchange instead of AgentClient: a hung agent must give a finding, not a hang.
AgentAnswer askAgent(const std::string& path) {
    AgentAnswer answer;
    sockaddr_un address{};
    if (path.size() >= sizeof address.sun_path) {
        answer.kind = AgentAnswer::Kind::Refused;
        answer.detail = "path too long";
        return answer;
    }
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        // No file: nothing runs. A file nobody accepts on: a crashed agent, unless one holds
        // the instance lock (then it is alive and not listening: a real fault).
        answer.kind = errno == ENOENT ? AgentAnswer::Kind::NotRunning : AgentAnswer::Kind::Refused;
        answer.detail = std::strerror(errno);
        return answer;
    }
    if (!protocol::peerAllowed(protocol::PeerCredentials::of(fd.get()), ::getuid())) {
        answer.kind = AgentAnswer::Kind::Refused;
        answer.detail = "listened on by another user";
        return answer;
    }
    timeval timeout{kAgentTimeoutSeconds, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    try {
        auto hello = request(
            fd.get(),
            {{"jsonrpc", "2.0"},
             {"id", "hello"},
             {"method", "transport.hello"},
             {"params",
              {{"transport", "cli"}, {"client", "firmante-doctor"}, {"protocolVersion", 1}}}});
        if (hello.contains("error")) throw std::runtime_error(hello["error"].dump());
        auto info = request(
            fd.get(),
            {{"jsonrpc", "2.0"}, {"id", 1}, {"method", protocol::methods::names::AgentInfo}});
        if (!info.contains("result")) throw std::runtime_error(info.dump());
        answer.kind = AgentAnswer::Kind::Answered;
        answer.info = info["result"];
    } catch (const std::exception& e) {
        answer.kind = AgentAnswer::Kind::Silent;
        answer.detail = e.what();
    }
    return answer;
}

// The inode of the socket listening on 127.0.0.1/::1:port, from the kernel's own tables.
std::optional<unsigned long> listeningInode(std::uint16_t port) {
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(table);
        std::string line;
        std::getline(in, line);  // header
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string slot, local, remote, state, queues, timer, retrans, uid, timeouts;
            unsigned long inode = 0;
            fields >> slot >> local >> remote >> state >> queues >> timer >> retrans >> uid >>
                timeouts >> inode;
            const auto colon = local.rfind(':');
            if (state != "0A" || colon == std::string::npos) continue;  // 0A = LISTEN
            if (std::stoul(local.substr(colon + 1), nullptr, 16) == port) return inode;
        }
    }
    return std::nullopt;
}

struct Owner {
    long pid = 0;
    std::string program;
};

// Which process holds the socket: the /proc/<pid>/fd link that names it. Processes of other
// users stay invisible unless we are root; then the owner is unknown.
std::optional<Owner> ownerOf(unsigned long inode) {
    const std::string wanted = "socket:[" + std::to_string(inode) + "]";
    std::error_code ec;
    for (const auto& process : fs::directory_iterator("/proc", ec)) {
        const auto name = process.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::error_code inner;
        for (const auto& fd : fs::directory_iterator(process.path() / "fd", inner)) {
            std::error_code linkError;
            if (fs::read_symlink(fd.path(), linkError).string() != wanted) continue;
            Owner owner;
            owner.pid = std::stol(name);
            owner.program = fs::read_symlink(process.path() / "exe", linkError).filename().string();
            if (owner.program.empty()) std::ifstream(process.path() / "comm") >> owner.program;
            return owner;
        }
    }
    return std::nullopt;
}

void checkPort(const AgentAnswer& agent, Checks& out) {
    Check c{"websocket-port"};
    std::optional<std::uint16_t> port;
    try {
        port = websocket::webSocketPortFromEnvironment();
    } catch (const std::exception& e) {
        c.status = Status::Fail;
        c.reason = protocol::words::InvalidParams;
        c.summary = e.what();
        c.fix = tr("doctor.port.envFix");
        out.push_back(std::move(c));
        return;
    }
    if (!port) {
        c.summary = tr("doctor.port.disabled");
        out.push_back(std::move(c));
        return;
    }
    if (*port == 0) {  // "auto": the agent picks one at start and reports it in agent.info
        port = agent.info.is_object() ? agent.info.value("webSocketPort", 0) : 0;
        if (*port == 0) {
            c.summary = tr("doctor.port.auto");
            out.push_back(std::move(c));
            return;
        }
    }
    c.details["port"] = *port;
    const auto inode = listeningInode(*port);
    const auto owner = inode ? ownerOf(*inode) : std::nullopt;
    const bool agentClaims =
        agent.kind == AgentAnswer::Kind::Answered && agent.info.value("webSocketPort", 0) == *port;
    if (owner) c.details["owner"] = {{"pid", owner->pid}, {"program", owner->program}};
    const std::string portText = std::to_string(*port);
    if (owner && owner->program == "firmante-agent") {
        c.summary = tr("doctor.port.agent", {portText, std::to_string(owner->pid)});
    } else if (owner || (inode && !agentClaims)) {
        c.status = Status::Fail;
        c.reason = protocol::words::PortInUse;
        const std::string who =
            owner ? owner->program + " (pid " + std::to_string(owner->pid) + ")" : "?";
        c.summary = tr("doctor.port.other", {portText, who});
        c.fix = tr("doctor.port.otherFix", {portText});
    } else if (inode) {
        c.summary = tr("doctor.port.agent", {portText, "?"});
    } else if (agent.kind == AgentAnswer::Kind::Answered) {
        c.status = Status::Warn;
        c.summary = tr("doctor.port.agentWithout", {portText});
        c.fix = tr("doctor.port.agentWithoutFix");
    } else {
        c.summary = tr("doctor.port.free", {portText});
    }
    out.push_back(std::move(c));
}

}  // namespace

void checkAgent(Checks& out) {
    Check c{"agent"};
    const std::string path = protocol::agentSocketPath();
    c.details["socket"] = path;
    const auto answer = askAgent(path);
    switch (answer.kind) {
        case AgentAnswer::Kind::Answered:
            c.details["info"] = answer.info;
            c.summary = tr("doctor.agent.ok", {answer.info.value("version", std::string("?")), path,
                                               answer.info.value("module", std::string())});
            break;
        case AgentAnswer::Kind::NotRunning:
            c.status = Status::Warn;
            c.summary = tr("doctor.agent.notRunning", {path});
            c.fix = tr("doctor.agent.notRunningFix");
            break;
        case AgentAnswer::Kind::Refused:
        case AgentAnswer::Kind::Silent:
            c.status = Status::Fail;
            c.reason = protocol::words::NativeUnavailable;
            c.summary = tr("doctor.agent.silent", {path, answer.detail});
            c.fix = tr("doctor.agent.silentFix");
            break;
    }
    out.push_back(std::move(c));
    checkPort(answer, out);
}

}  // namespace firmante::cli::doctor
