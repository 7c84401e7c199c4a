#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "RenewalRecord.h"

namespace firmante::renewal {

/// The folder of renewal journals: one `<renewalId>.json` per renewal (DESIGN §3 rule 5). Each
/// write goes to a temporary file in the same folder, is fsynced, renamed over the journal, and
/// the folder is fsynced, so a crash leaves either the previous or the new journal, never half of
/// one. Files are 0600, the folder 0700. Journals are never deleted here.
class RenewalJournal {
  public:
    struct Contents {
        std::map<std::string, RenewalRecord> records;  // by renewal id
        std::map<std::string, std::string> corrupt;    // file stem -> why it was not loaded
    };

    /// Creates the folder (0700) when missing. Throws pkcs11::Error(Internal).
    explicit RenewalJournal(std::filesystem::path dir);

    const std::filesystem::path& dir() const noexcept { return dir_; }
    std::filesystem::path pathOf(const std::string& renewalId) const;

    /// Largest journal file read; a larger one is listed as corrupt, not read.
    static constexpr std::size_t kMaxJournalBytes = 1u << 20;

    /// Reads every `*.json` journal and deletes leftovers of interrupted writes (`*.tmp`). Never
    /// blocks on a FIFO or follows a symbolic link: anything but a regular file is corrupt, and so
    /// is a journal RenewalRecord::fromJson refuses (with its reason), or one of a newer version.
    /// Call only with the folder to itself (the agent's instance lock).
    Contents load() const;

    /// Durably replaces the journal of `record.renewalId` with record.toJson() (so at
    /// RenewalRecord::kVersion). Throws pkcs11::Error(Internal).
    void save(const RenewalRecord& record) const;

    /// Whether `id` can name a journal file (URL-safe base64 alphabet, 1–64 characters).
    static bool validId(const std::string& id) noexcept;

  private:
    std::filesystem::path dir_;
};

}  // namespace firmante::renewal
