#pragma once

#include <filesystem>

namespace firmante::cli {

/// The agent's renewal journal folder (docs/protocol.md §5): $XDG_STATE_HOME/firmante/renewals,
/// else ~/.local/state/firmante/renewals. `renew` resumes from it and `doctor` checks it.
std::filesystem::path journalDir();

}  // namespace firmante::cli
