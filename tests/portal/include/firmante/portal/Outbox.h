#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

namespace firmante::portal {

/// One message the portal "sent" (manual, steps 7–8).
struct OutboxMessage {
    std::string id;
    std::string to;
    std::string subject;
    std::string date;  ///< ISO-8601 UTC
    std::string body;  ///< plain text, UTF-8
    std::string link;  ///< the one-time link in the message
    std::string file;  ///< file name inside the outbox folder

    nlohmann::json toJson(bool withBody) const;
};

/// A local stand-in for e-mail: each message is one RFC 5322 `.eml` file in
/// `<state-dir>/outbox/`, and the portal lists them on `/buzon`.
class Outbox {
  public:
    explicit Outbox(std::filesystem::path dir);

    /// Writes the message file and remembers it; returns the stored message.
    /// Throws std::runtime_error when the file cannot be written.
    OutboxMessage send(const std::string& to, const std::string& subject, const std::string& body,
                       const std::string& link, std::chrono::system_clock::time_point now);

    std::vector<OutboxMessage> list() const;
    /// The message with `id`; nullopt-like empty id when absent.
    OutboxMessage find(const std::string& id) const;

    const std::filesystem::path& dir() const noexcept { return dir_; }

  private:
    std::filesystem::path dir_;
    mutable std::mutex mutex_;
    std::vector<OutboxMessage> messages_;
};

}  // namespace firmante::portal
