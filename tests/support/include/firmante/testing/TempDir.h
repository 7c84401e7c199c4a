#pragma once

#include <filesystem>

namespace firmante::testing {

/// A fresh folder under $TMPDIR, removed with everything in it when this goes away.
class TempDir {
  public:
    explicit TempDir(const char* prefix = "firmante-test");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const noexcept { return path_; }
    std::filesystem::path operator/(const std::filesystem::path& p) const { return path_ / p; }

  private:
    std::filesystem::path path_;
};

}  // namespace firmante::testing
