#pragma once

#include "firmante/agent/AgentStatus.h"
#include "firmante/prompt/Prompter.h"

namespace firmante::agent {

/// A prompter that tells the tray while a question waits for the person ("waiting for you").
class WatchedPrompter : public prompt::Prompter {
  public:
    WatchedPrompter(prompt::Prompter& inner, AgentStatus& status)
        : inner_(inner), status_(status) {}

    pkcs11::Secret askPin(const prompt::PromptText& text) override {
        Watch watch(status_);
        return inner_.askPin(text);
    }
    bool confirm(const prompt::PromptText& text) override {
        Watch watch(status_);
        return inner_.confirm(text);
    }
    void shutdown() noexcept override { inner_.shutdown(); }

  private:
    struct Watch {
        explicit Watch(AgentStatus& s) : status(s) { status.promptStarted(); }
        ~Watch() { status.promptEnded(); }
        AgentStatus& status;
    };
    prompt::Prompter& inner_;
    AgentStatus& status_;
};

}  // namespace firmante::agent
