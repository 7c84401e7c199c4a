#include "firmante/testing/TempDir.h"

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <system_error>

namespace firmante::testing {

TempDir::TempDir(const char* prefix, const std::filesystem::path& base) {
    const auto parent = base.empty() ? std::filesystem::temp_directory_path() : base;
    std::string templ = (parent / (std::string(prefix) + "-XXXXXX")).string();
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

}  // namespace firmante::testing
