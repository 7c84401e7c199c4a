#include "firmante/testing/Process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace firmante::testing {

namespace {

// The test's own environment with `env` added or replacing, as NAME=value strings.
std::vector<std::string> environmentWith(const std::map<std::string, std::string>& env) {
    std::vector<std::string> out;
    for (char** e = environ; *e; ++e) {
        std::string s(*e);
        auto eq = s.find('=');
        if (eq != std::string::npos && env.count(s.substr(0, eq))) continue;
        out.push_back(s);
    }
    for (auto& [k, v] : env) out.push_back(k + "=" + v);
    return out;
}

// argv/envp for exec: pointers into `strings`, null-terminated.
std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

}  // namespace

ProcessResult run(const std::vector<std::string>& argv, const std::string& input,
                  const std::map<std::string, std::string>& env) {
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
        throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);

    std::vector<std::string> envStrings = environmentWith(env), argCopy = argv;
    std::vector<char*> envp = pointers(envStrings), args = pointers(argCopy);

    pid_t pid;
    int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    if (rc != 0) {
        close(in[1]);
        close(out[0]);
        close(err[0]);
        throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    }
    ProcessResult result;
    size_t written = 0;
    int inFd = in[1];
    if (input.empty()) {
        close(inFd);
        inFd = -1;
    } else {
        fcntl(inFd, F_SETFL, O_NONBLOCK);
    }
    bool outOpen = true, errOpen = true;
    while (outOpen || errOpen) {
        pollfd fds[3];
        int n = 0;
        int outIdx = -1, errIdx = -1, inIdx = -1;
        if (outOpen) {
            fds[n] = {out[0], POLLIN, 0};
            outIdx = n++;
        }
        if (errOpen) {
            fds[n] = {err[0], POLLIN, 0};
            errIdx = n++;
        }
        if (inFd >= 0) {
            fds[n] = {inFd, POLLOUT, 0};
            inIdx = n++;
        }
        if (poll(fds, n, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        char buf[65536];
        if (outIdx >= 0 && fds[outIdx].revents) {
            ssize_t r = read(out[0], buf, sizeof buf);
            if (r > 0)
                result.out.append(buf, r);
            else
                outOpen = false;
        }
        if (errIdx >= 0 && fds[errIdx].revents) {
            ssize_t r = read(err[0], buf, sizeof buf);
            if (r > 0)
                result.err.append(buf, r);
            else
                errOpen = false;
        }
        if (inIdx >= 0 && fds[inIdx].revents) {
            ssize_t w = write(inFd, input.data() + written, input.size() - written);
            if (w > 0) written += w;
            if (w < 0 || written == input.size()) {
                close(inFd);
                inFd = -1;
            }
        }
    }
    if (inFd >= 0) close(inFd);
    close(out[0]);
    close(err[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

Child::Child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
             const std::filesystem::path& stdoutPath, const std::filesystem::path& stderrPath) {
    std::vector<std::string> envStrings = environmentWith(env), argCopy = argv;
    std::vector<char*> envp = pointers(envStrings), args = pointers(argCopy);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    constexpr int kAppend = O_WRONLY | O_CREAT | O_APPEND;
    posix_spawn_file_actions_addopen(&actions, 1, stdoutPath.c_str(), kAppend, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, stderrPath.c_str(), kAppend, 0600);
    const int rc = ::posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        pid_ = -1;
        throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    }
}

Child::~Child() {
    if (pid_ > 0) stop(SIGKILL);
}

int Child::stop(int signal, std::chrono::milliseconds grace) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    auto status = waitForExit(grace);
    if (!status) {
        ::kill(pid_, SIGKILL);
        int killed = 0;
        ::waitpid(pid_, &killed, 0);
        pid_ = -1;
        return killed;
    }
    return *status;
}

std::optional<int> Child::waitForExit(std::chrono::milliseconds limit) {
    if (pid_ <= 0) return std::nullopt;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        int status = 0;
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            pid_ = -1;
            return status;
        }
        if (r < 0 && errno != EINTR) {
            // Reaped elsewhere (or never ours): no exit status was seen, so none is reported.
            pid_ = -1;
            return std::nullopt;
        }
        if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void Child::waitUntil(const std::function<bool()>& ready, const std::string& what,
                      const std::filesystem::path& log, std::chrono::milliseconds limit) {
    const auto said = [&] {
        std::ifstream in(log, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        return text.str();
    };
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (waitForExit(std::chrono::milliseconds(0)))
            throw std::runtime_error(what + " exited at start: " + said());
        if (ready()) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop(SIGKILL);
    throw std::runtime_error(what + " did not come up in time: " + said());
}

bool acceptsConnections(const std::filesystem::path& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return ok;
}

void writeFile(const std::string& path, const std::string& bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error("cannot write " + path);
    f << bytes;
}

std::string readFile(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

}  // namespace firmante::testing
