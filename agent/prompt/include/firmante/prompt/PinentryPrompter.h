#pragma once

#include <chrono>
#include <string>

#include "firmante/prompt/Prompter.h"

namespace firmante::prompt {

/// The most a pinentry argument (SETDESC's description) may take once Assuan-escaped: an Assuan
/// line holds 1000 bytes before its end, "SETDESC " included (pinentry-tty 1.2 accepts a
/// 993-byte description and refuses a 1000-byte one, "Line passed to IPC too long"). Longer text
/// is cut on a UTF-8 boundary and ends with "…".
inline constexpr std::size_t kPinentryDescriptionBytes = 990;

/// A Prompter that runs a pinentry program (pinentry-tty, -gnome3, -qt…) per question and talks
/// Assuan to it over its stdin/stdout: SETTITLE, SETDESC, SETPROMPT, SETOK, SETCANCEL, SETERROR,
/// OPTION…, then GETPIN or CONFIRM. The process writes to a pipe: ignore SIGPIPE in the program.
class PinentryPrompter : public Prompter {
  public:
    /// `program` is a path or a name looked up in PATH; `timeout` bounds each question.
    explicit PinentryPrompter(std::string program = programFromEnvironment(),
                              std::chrono::seconds timeout = std::chrono::seconds(300));

    /// FIRMANTE_PINENTRY, else "pinentry".
    static std::string programFromEnvironment();

    /// Throws pkcs11::Error(UserCancelled) on cancel (ERR 83886179), pkcs11::Error(Internal)
    /// naming the program when it is missing or misbehaves.
    pkcs11::Secret askPin(const PromptText& text) override;
    bool confirm(const PromptText& text) override;
    /// Kills every running pinentry (of any PinentryPrompter: they may ignore SIGTERM).
    void shutdown() noexcept override;

    const std::string& program() const noexcept { return program_; }

  private:
    std::string program_;
    std::chrono::seconds timeout_;
};

}  // namespace firmante::prompt
