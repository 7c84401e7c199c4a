#pragma once

#include <string>

#include "firmante/nm/Browser.h"

namespace firmante::nm {

/// Who started the native messaging host, as told by the browser's command line.
struct CallerInfo {
    Browser browser = Browser::Chromium;
    /// Chromium: the 32-letter (a–p) extension id. Firefox: the add-on id (e.g. an e-mail form).
    std::string extensionId;
    /// Firefox only: the path of the host manifest the browser used.
    std::string manifestPath;
};

}  // namespace firmante::nm
