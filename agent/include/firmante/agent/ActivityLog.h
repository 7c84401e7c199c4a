#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "firmante/prompt/PromptText.h"

namespace firmante::agent {

/// One thing the agent did for a site with the person's key, as the tray lists it: what, for
/// which site, when. No document content: a file name at most, already made safe to show.
struct Activity {
    std::chrono::system_clock::time_point when;
    std::string site;        // the origin (safeText)
    prompt::Bilingual what;  // "Firmó el documento" / "Signed the document"
    std::string fileName;    // safeText, shortened in the middle; empty when none
};

/// The most recent activities, newest first, in memory only (gone with the agent), bounded so a
/// busy agent costs at most `capacity` entries. Not thread-safe: AgentStatus guards it.
class ActivityLog {
  public:
    explicit ActivityLog(std::size_t capacity = 20) : capacity_(capacity) {}

    /// Adds `activity` in front; the oldest entry goes when the log is full.
    void add(Activity activity);
    std::vector<Activity> recent() const { return {entries_.begin(), entries_.end()}; }
    std::size_t capacity() const noexcept { return capacity_; }

  private:
    std::size_t capacity_;
    std::deque<Activity> entries_;
};

/// The activity a successful request stands for, or false for a method the tray does not list
/// (reads, status). `fileName` and `count` come from the request's params (unchecked here: they
/// are made safe). Methods listed: documents.sign, documents.sign_batch, renewal.sign_letter,
/// auth.sign_challenge, renewal.prove_possession, renewal.begin, renewal.install_certificate,
/// renewal.finish, renewal.cancel.
bool describeActivity(const std::string& method, const std::string& origin,
                      const std::string& fileName, std::size_t count,
                      std::chrono::system_clock::time_point when, Activity& out);

}  // namespace firmante::agent
