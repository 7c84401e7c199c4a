#include "RenewalJournal.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "RenewalStep.h"
#include "firmante/pkcs11/Error.h"

namespace firmante::renewal {

using pkcs11::Error;
using pkcs11::Reason;

namespace {

[[noreturn]] void failErrno(const std::string& what, const std::filesystem::path& path) {
    throw Error(Reason::Internal, "No se pudo escribir el diario de renovación (" + what + " " +
                                      path.string() + "): " + std::strerror(errno));
}

/// Closes a descriptor on every path out.
class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const noexcept { return fd_; }
    int release() noexcept {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }

  private:
    int fd_;
};

bool hasString(const nlohmann::json& object, std::initializer_list<const char*> path) {
    const nlohmann::json* at = &object;
    for (const char* key : path) {
        if (!at->is_object()) return false;
        const auto it = at->find(key);
        if (it == at->end()) return false;
        at = &*it;
    }
    return at->is_string();
}

/// Whether a record holds what its state promises, so that the renewal logic can read it without
/// tripping over a hand-edited or truncated journal. Empty when fine, else why not.
std::string missingFields(const nlohmann::json& record) {
    const auto step = parseStep(record.value("state", std::string{}));
    if (!step) return "estado desconocido";
    if (!hasString(record, {"origin"}) || !hasString(record, {"token", "label"}) ||
        !hasString(record, {"token", "serial"}) || !hasString(record, {"oldCertificate", "uri"}) ||
        !hasString(record, {"newKey", "label"}))
        return "faltan el origen, el token o el certificado anterior";
    if (*step >= RenewalStep::Begun &&
        (!hasString(record, {"oldCertificate", "keyUri"}) ||
         !hasString(record, {"newKey", "uri"}) || !hasString(record, {"newKey", "spki"}) ||
         !hasString(record, {"newKey", "spkiHex"})))
        return "falta la llave nueva";
    if (*step >= RenewalStep::AcceptanceSigned &&
        !hasString(record, {"letters", "acceptance", "sha1"}))
        return "falta la Carta de Aceptación";
    if (*step >= RenewalStep::CertificateInstalled &&
        (!hasString(record, {"newCertificate", "uri"}) ||
         !hasString(record, {"newCertificate", "sha256"})))
        return "falta el certificado nuevo";
    return {};
}

}  // namespace

RenewalJournal::RenewalJournal(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec || !std::filesystem::is_directory(dir_))
        throw Error(Reason::Internal, "No se pudo crear la carpeta de renovaciones " +
                                          dir_.string() + ": " + ec.message());
    // The journals name the person's keys and portals: only they may read the folder.
    if (::chmod(dir_.c_str(), 0700) != 0)
        throw Error(Reason::Internal, "No se pudieron ajustar los permisos de " + dir_.string() +
                                          ": " + std::strerror(errno));
}

std::filesystem::path RenewalJournal::pathOf(const std::string& renewalId) const {
    return dir_ / (renewalId + ".json");
}

bool RenewalJournal::validId(const std::string& id) noexcept {
    if (id.empty() || id.size() > 64) return false;
    for (char c : id) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}

RenewalJournal::Contents RenewalJournal::load() const {
    Contents contents;
    std::error_code ec;
    std::filesystem::directory_iterator it(dir_, ec);
    if (ec)
        throw Error(Reason::Internal, "No se pudo leer la carpeta de renovaciones " +
                                          dir_.string() + ": " + ec.message());
    for (const auto& entry : it) {
        const auto& path = entry.path();
        const std::string name = path.filename().string();
        if (path.extension() != ".json" || name.starts_with(".")) continue;
        const std::string stem = path.stem().string();
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            contents.corrupt[stem] = "no se pudo abrir " + name;
            continue;
        }
        std::stringstream buffer;
        buffer << in.rdbuf();
        nlohmann::json record = nlohmann::json::parse(buffer.str(), nullptr, false);
        if (record.is_discarded() || !record.is_object()) {
            contents.corrupt[stem] = "el archivo " + name + " no es JSON válido";
            continue;
        }
        const auto id = record.find("renewalId");
        const auto state = record.find("state");
        if (id == record.end() || !id->is_string() || *id != stem || state == record.end() ||
            !state->is_string()) {
            contents.corrupt[stem] = "el archivo " + name + " no es un diario de renovación";
            continue;
        }
        if (const std::string why = missingFields(record); !why.empty()) {
            contents.corrupt[stem] = "el archivo " + name + " está incompleto: " + why;
            continue;
        }
        contents.records.emplace(stem, std::move(record));
    }
    return contents;
}

void RenewalJournal::save(const nlohmann::json& record) const {
    const std::string id = record.at("renewalId").get<std::string>();
    if (!validId(id)) throw Error(Reason::Internal, "identificador de renovación inválido");
    const std::filesystem::path target = pathOf(id);
    const std::filesystem::path temporary = dir_ / ("." + id + ".json.tmp");
    const std::string text = record.dump(2) + "\n";

    {
        Fd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (fd.get() < 0) failErrno("open", temporary);
        // The mode given to open() is filtered by the umask; the journal must be 0600 whatever it
        // is.
        if (::fchmod(fd.get(), 0600) != 0) failErrno("fchmod", temporary);
        std::size_t written = 0;
        while (written < text.size()) {
            const ssize_t n = ::write(fd.get(), text.data() + written, text.size() - written);
            if (n < 0) {
                if (errno == EINTR) continue;
                failErrno("write", temporary);
            }
            written += static_cast<std::size_t>(n);
        }
        if (::fsync(fd.get()) != 0) failErrno("fsync", temporary);
        if (::close(fd.release()) != 0) failErrno("close", temporary);
    }
    if (::rename(temporary.c_str(), target.c_str()) != 0) failErrno("rename", target);
    // The rename itself is only durable once the folder's entry is on disk.
    Fd dirFd(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dirFd.get() < 0) failErrno("open", dir_);
    if (::fsync(dirFd.get()) != 0) failErrno("fsync", dir_);
}

}  // namespace firmante::renewal
