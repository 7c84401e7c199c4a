#include "RenewalJournal.h"

#include <cerrno>
#include <cstring>
#include <optional>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "firmante/pkcs11/Error.h"
#include "firmante/protocol/UniqueFd.h"

namespace firmante::renewal {

using pkcs11::Error;
using pkcs11::Reason;

namespace {

[[noreturn]] void failErrno(const std::string& what, const std::filesystem::path& path) {
    throw Error(Reason::Internal, "No se pudo escribir el diario de renovación (" + what + " " +
                                      path.string() + "): " + std::strerror(errno));
}

using Fd = protocol::UniqueFd;

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

namespace {

/// Reads one journal file without ever blocking on it: a FIFO, a socket, a device or a symbolic
/// link in the folder is reported, not opened for reading (a FIFO would hang start-up forever).
/// Returns the text, or sets `why`.
std::optional<std::string> readJournalFile(const std::filesystem::path& path, std::string& why) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC));
    if (fd.get() < 0) {
        why = errno == ELOOP ? "es un enlace simbólico, no un diario" : std::strerror(errno);
        return std::nullopt;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        why = "no es un archivo normal";
        return std::nullopt;
    }
    // Checked before reading: a journal is a few KiB; anything near this is not one of ours.
    if (st.st_size > static_cast<off_t>(RenewalJournal::kMaxJournalBytes)) {
        why = "es demasiado grande para ser un diario";
        return std::nullopt;
    }
    std::string text;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            why = std::strerror(errno);
            return std::nullopt;
        }
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
        if (text.size() > RenewalJournal::kMaxJournalBytes) {
            why = "es demasiado grande para ser un diario";
            return std::nullopt;
        }
    }
    return text;
}

}  // namespace

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
        if (name.ends_with(".tmp")) {
            // Left by a write the agent did not finish (one agent per folder: InstanceLock). The
            // journal it was replacing is intact; the leftover only confuses a person looking.
            std::error_code typeError;
            if (!std::filesystem::is_directory(entry.symlink_status(typeError)))
                std::filesystem::remove(path, typeError);
            continue;
        }
        if (path.extension() != ".json" || name.starts_with(".")) continue;
        const std::string stem = path.stem().string();
        std::string why;
        const std::optional<std::string> text = readJournalFile(path, why);
        if (!text) {
            contents.corrupt[stem] = "el archivo " + name + " " + why;
            continue;
        }
        const nlohmann::json parsed = nlohmann::json::parse(*text, nullptr, false);
        if (parsed.is_discarded() || !parsed.is_object()) {
            contents.corrupt[stem] = "el archivo " + name + " no es JSON válido";
            continue;
        }
        std::optional<RenewalRecord> loaded = RenewalRecord::fromJson(parsed, why);
        if (!loaded) {
            contents.corrupt[stem] = "el archivo " + name + " " + why;
            continue;
        }
        if (loaded->renewalId != stem) {
            contents.corrupt[stem] = "el archivo " + name + " no es un diario de renovación";
            continue;
        }
        contents.records.emplace(stem, std::move(*loaded));
    }
    return contents;
}

void RenewalJournal::save(const RenewalRecord& record) const {
    const std::string& id = record.renewalId;
    if (!validId(id)) throw Error(Reason::Internal, "identificador de renovación inválido");
    const std::filesystem::path target = pathOf(id);
    const std::filesystem::path temporary = dir_ / ("." + id + ".json.tmp");
    const std::string text = record.toJson().dump(2) + "\n";

    {
        // Whatever sits at the temporary name (a leftover, or a FIFO someone put there, which
        // open() would block on) is replaced, never written through.
        if (::unlink(temporary.c_str()) != 0 && errno != ENOENT) failErrno("unlink", temporary);
        Fd fd(
            ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
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
