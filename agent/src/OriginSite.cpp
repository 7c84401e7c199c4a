#include <libpsl.h>

#include <algorithm>

#include "firmante/agent/Origin.h"

namespace firmante::agent {

namespace {

const psl_ctx_t* suffixes() noexcept {
    // The newer of the list built into libpsl and the system's (Debian's `publicsuffix`); read
    // only after it is made, so any thread may use it.
    static const psl_ctx_t* const context = [] {
        const psl_ctx_t* latest = psl_latest(nullptr);
        return latest != nullptr ? latest : psl_builtin();
    }();
    return context;
}

}  // namespace

std::string asciiLower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
    });
    return out;
}

std::string siteOf(std::string_view origin) {
    std::string_view host;
    for (std::string_view scheme : {"https://", "http://"}) {
        if (origin.starts_with(scheme)) host = origin.substr(scheme.size());
    }
    if (host.empty()) return asciiLower(origin);
    if (host.front() == '[') return asciiLower(host.substr(0, host.find(']') + 1));  // IPv6 literal
    host = host.substr(0, host.find(':'));
    const std::string name = asciiLower(host);
    const bool dotted = name.find('.') != std::string::npos;
    const bool numeric = std::all_of(name.begin(), name.end(),
                                     [](unsigned char c) { return std::isdigit(c) || c == '.'; });
    if (!dotted || numeric) return name;
    if (const psl_ctx_t* list = suffixes()) {
        // nullptr when the host is itself a public suffix (e.g. `gob.mx`): then it stands alone.
        if (const char* registrable = psl_registrable_domain(list, name.c_str())) {
            return registrable;
        }
    }
    return name;
}

}  // namespace firmante::agent
