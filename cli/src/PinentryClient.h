#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "PromptText.h"
#include "firmante/pkcs11/Secret.h"

namespace firmante::cli {

/// A minimal Assuan client for a pinentry program (FIRMANTE_PINENTRY): SETTITLE, SETDESC,
/// SETPROMPT, GETPIN, BYE. Written here until the agent's firmante_prompt library lands; the
/// answer is decoded straight into a zeroizing Secret and never copied into a std::string.
class PinentryClient {
  public:
    /// Starts `program` (searched in PATH). Throws CliError(INVALID_PARAMS) when it cannot.
    explicit PinentryClient(const std::string& program);
    /// Says BYE, closes the pipes and reaps the child.
    ~PinentryClient();
    PinentryClient(const PinentryClient&) = delete;
    PinentryClient& operator=(const PinentryClient&) = delete;

    /// Asks for a secret. Throws CliError(USER_CANCELLED) when the person cancels or the
    /// pinentry ends, INVALID_PARAMS for an empty answer, INTERNAL for a protocol error.
    pkcs11::Secret getPin(const PromptText& text);

  private:
    using Line = std::vector<char, pkcs11::ZeroizingAllocator<char>>;
    /// One response line (without the newline); false at end of stream.
    bool readLine(Line& line);
    /// Sends a command and waits for OK; ERR throws.
    void command(const std::string& line);
    void send(const std::string& line);

    pid_t pid_ = -1;
    int toChild_ = -1;
    int fromChild_ = -1;
};

}  // namespace firmante::cli
