#pragma once

#include <string>

namespace firmante::pkcs11::internal {

/// Keeps what this process writes to standard error (descriptor 2) out of the terminal while it
/// lives, and hands it over in finish(). Module::load uses it around loading and C_Initialize:
/// a module that cannot reach its device (tpm2-pkcs11 with no TPM, through p11-kit-proxy) prints
/// a dozen lines there on every start, and Firmante reports them in one line of its own instead
/// (issue 11 §8). Only while no other thread writes to stderr: at module loading, before the
/// agent's threads start. The one exception is Module::reinitialize for a module that printed at
/// load: there the agent's own lines from other threads in those milliseconds land in the capture
/// (they are in its log file as well). Never throws; when the descriptors cannot be set up,
/// nothing is kept.
class StderrCapture {
  public:
    StderrCapture() noexcept;
    ~StderrCapture();
    StderrCapture(const StderrCapture&) = delete;
    StderrCapture& operator=(const StderrCapture&) = delete;

    /// Puts standard error back and returns what was written meanwhile (at most 64 KiB).
    std::string finish() noexcept;

  private:
    int file_ = -1;
    int saved_ = -1;
};

/// "N lines …; the last: «…»" for a log line, or empty when `output` holds no text.
std::string summarizeModuleOutput(const std::string& output);

}  // namespace firmante::pkcs11::internal
