#pragma once

#include <memory>

#include "firmante/agent/AgentStatus.h"
#include "firmante/prompt/Prompter.h"

namespace firmante::agent {

/// The composition root of firmante-agent: paths, logging, the instance lock, the config, the
/// module, the token workers, the dispatcher and the transports, wired and run on one I/O
/// thread until SIGINT/SIGTERM. Further transports (WebSocket) and UIs (tray) plug in here.
class Agent {
  public:
    /// `prompter` replaces the pinentry prompter (the desktop passes its own); nullptr = pinentry.
    /// `status`, when given, is kept up to date for a tray icon (tokens and their certificates,
    /// questions waiting, renewals in progress, recent activity) and offers it the agent's
    /// controls while run() runs; it must outlive run().
    explicit Agent(std::unique_ptr<prompt::Prompter> prompter = nullptr,
                   AgentStatus* status = nullptr);
    ~Agent();

    /// Runs until stopped. Returns the process exit code: 0 after a clean stop, 2 when another
    /// agent already runs for this user, 1 for any other start-up failure (printed in es-MX and
    /// English on stderr).
    int run();

  private:
    std::unique_ptr<prompt::Prompter> prompter_;
    AgentStatus* status_;
};

}  // namespace firmante::agent
