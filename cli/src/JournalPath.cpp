#include "JournalPath.h"

#include <cstdlib>

namespace firmante::cli {

std::filesystem::path journalDir() {
    if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state)
        return std::filesystem::path(state) / "firmante" / "renewals";
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home && *home ? home : ".") / ".local" / "state" / "firmante" /
           "renewals";
}

}  // namespace firmante::cli
