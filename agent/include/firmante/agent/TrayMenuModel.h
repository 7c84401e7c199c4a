#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "firmante/agent/AgentStatus.h"
#include "firmante/prompt/PromptText.h"

namespace firmante::agent {

/// The tray's menu as data, in both languages, so its logic is tested without widgets; a UI turns
/// each entry into a menu item (agent/desktop's TrayIcon). Entries between BeginSubmenu and
/// EndSubmenu form a submenu titled by the BeginSubmenu's text.
struct TrayMenuEntry {
    enum class Kind { Heading, Text, Warning, Action, Separator, BeginSubmenu, EndSubmenu };
    Kind kind = Kind::Text;
    prompt::Bilingual text;
    std::string action;        // for Action: "revokeSite", "openLog", "switchLanguage", "quit"
    std::string argument;      // revokeSite: the origin
    prompt::Bilingual detail;  // a longer explanation (a tooltip), may be empty
};

/// A certificate that expired or expires within `kExpiryWarning`: what the person reads, in
/// words for someone who is not technical, with what to do.
struct ExpiryNotice {
    prompt::Bilingual shortText;  // one menu line
    prompt::Bilingual message;    // a notification: what happens and what to do
};

inline constexpr std::chrono::hours kExpiryWarning{30 * 24};

/// nullopt while more than 30 days are left (exactly 30 days left is announced).
std::optional<ExpiryNotice> expiryNotice(const CertificateSummary& certificate,
                                         std::chrono::system_clock::time_point now);

/// "Token conectado" / "Token connected", …
prompt::Bilingual stateText(TrayState state);
/// The icon's tooltip: "Firmante — " and the state, with the token's name when one is present.
prompt::Bilingual trayTooltip(const StatusSnapshot& status,
                              std::chrono::system_clock::time_point now);
std::vector<TrayMenuEntry> trayMenu(const StatusSnapshot& status,
                                    std::chrono::system_clock::time_point now);

/// Local date ("2026-12-02") and local date and time ("2026-12-02 09:14").
std::string shownDate(std::chrono::system_clock::time_point when);
std::string shownDateTime(std::chrono::system_clock::time_point when);

}  // namespace firmante::agent
