#pragma once

#include <sys/types.h>

#include <string>

namespace firmante::prompt {

/// Starts `path` (already resolved) with `stdinFd` and `stdoutFd` as its stdin and stdout,
/// stderr on /dev/null and no other descriptor of ours, whatever its close-on-exec flag. The
/// child gets SIGKILL when the thread that started it ends (PR_SET_PDEATHSIG), so a prompt never
/// outlives a killed agent, and default signal handling (the agent ignores SIGPIPE). Returns
/// the pid, registered for abortPromptProcesses(); throws pkcs11::Error(Internal) when fork()
/// fails, or when prompts are shut down.
pid_t startPromptProcess(const std::string& path, int stdinFd, int stdoutFd);

/// Ends a started child and reaps it: waits at most `graceMs` for it to exit (its stdout,
/// `fromChildFd`, reaching end of file, since it was asked to leave), then SIGKILL. Never
/// sleeps on a fixed interval. Does not close `fromChildFd`.
void endPromptProcess(pid_t pid, int fromChildFd, int graceMs) noexcept;

/// SIGKILLs every prompt process still running and makes startPromptProcess() refuse from now
/// on: the agent is stopping, and a prompt program that ignores SIGTERM must not hold it up.
void abortPromptProcesses() noexcept;

}  // namespace firmante::prompt
