#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace firmante::portal {

/// A refusal the portal reports to its client as
/// `{"error":{"code":"…","message":"<es-MX>","messageEn":"…","details":{…}}}`.
/// `code` is a stable upper-case word (documented in docs/portal-integration.md);
/// the messages are for people and may change.
class PortalError : public std::runtime_error {
  public:
    PortalError(std::string code, int httpStatus, std::string messageEs, std::string messageEn,
                nlohmann::json details = nlohmann::json::object())
        : std::runtime_error(code + ": " + messageEn),
          code_(std::move(code)),
          httpStatus_(httpStatus),
          messageEs_(std::move(messageEs)),
          messageEn_(std::move(messageEn)),
          details_(std::move(details)) {}

    const std::string& code() const noexcept { return code_; }
    int httpStatus() const noexcept { return httpStatus_; }
    const std::string& messageEs() const noexcept { return messageEs_; }
    const std::string& messageEn() const noexcept { return messageEn_; }
    const nlohmann::json& details() const noexcept { return details_; }

    /// The JSON body sent to the client.
    nlohmann::json toJson() const {
        nlohmann::json error = {
            {"code", code_}, {"message", messageEs_}, {"messageEn", messageEn_}};
        if (!details_.empty()) error["details"] = details_;
        return {{"error", error}};
    }

  private:
    std::string code_;
    int httpStatus_;
    std::string messageEs_;
    std::string messageEn_;
    nlohmann::json details_;
};

}  // namespace firmante::portal
