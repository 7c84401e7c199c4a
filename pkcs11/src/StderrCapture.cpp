#include "StderrCapture.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>

namespace firmante::pkcs11::internal {

StderrCapture::StderrCapture() noexcept {
    std::fflush(stderr);
    file_ = ::memfd_create("firmante-module-output", MFD_CLOEXEC);
    if (file_ < 0) return;
    saved_ = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (saved_ < 0 || ::dup2(file_, STDERR_FILENO) < 0) {
        if (saved_ >= 0) ::close(saved_);
        ::close(file_);
        saved_ = file_ = -1;
    }
}

StderrCapture::~StderrCapture() {
    finish();
}

std::string StderrCapture::finish() noexcept {
    if (file_ < 0) return {};
    std::fflush(stderr);
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
    std::string out;
    try {
        char buffer[4096];
        ::lseek(file_, 0, SEEK_SET);
        ssize_t n;
        while (out.size() < 64 * 1024 && (n = ::read(file_, buffer, sizeof buffer)) > 0)
            out.append(buffer, static_cast<std::size_t>(n));
    } catch (...) {
        out.clear();
    }
    ::close(file_);
    saved_ = file_ = -1;
    return out;
}

std::string summarizeModuleOutput(const std::string& output) {
    std::istringstream in(output);
    std::string line, last;
    int lines = 0;
    while (std::getline(in, line)) {
        const auto begin = line.find_first_not_of(" \t\r");
        if (begin == std::string::npos) continue;
        const auto end = line.find_last_not_of(" \t\r");
        last = line.substr(begin, end - begin + 1);
        ++lines;
    }
    if (lines == 0) return {};
    if (last.size() > 200) last = last.substr(0, 200) + "…";
    return std::to_string(lines) + (lines == 1 ? " line" : " lines") + ", the last: \"" + last +
           "\"";
}

}  // namespace firmante::pkcs11::internal
