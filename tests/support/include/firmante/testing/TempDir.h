#pragma once

#include <filesystem>

namespace firmante::testing {

/// A fresh folder under $TMPDIR (or under `base` when given), removed with everything in it when
/// this goes away. A test that binds Unix sockets inside passes a short prefix and "/tmp" as
/// base: socket paths must stay under 108 bytes whatever $TMPDIR is.
class TempDir {
  public:
    explicit TempDir(const char* prefix = "firmante-test", const std::filesystem::path& base = {});
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const noexcept { return path_; }
    std::filesystem::path operator/(const std::filesystem::path& p) const { return path_ / p; }

  private:
    std::filesystem::path path_;
};

}  // namespace firmante::testing
