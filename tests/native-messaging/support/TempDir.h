#pragma once

#include <filesystem>

namespace firmante::nmtest {

/// A fresh, short-named folder under /tmp (Unix socket paths must stay under 108 bytes),
/// removed with its contents on destruction.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

}  // namespace firmante::nmtest
