#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "firmante/testing/Process.h"
#include "firmante/testing/SoftHsmToken.h"
#include "firmante/testing/TempDir.h"

namespace firmante::cli::test {

using firmante::testing::ProcessResult;
using firmante::testing::readFile;
using firmante::testing::run;
using firmante::testing::SoftHsmToken;
using firmante::testing::writeFile;

/// A private SoftHSM token and work folder per test, and ways to run the real `firmante` binary
/// against it with the PIN on a pipe (`--pin-fd`), never in argv.
class CliTest : public ::testing::Test {
  protected:
    CliTest();

    std::string path(const std::string& name) const { return (work_ / name).string(); }
    /// The environment every run gets: the SoftHSM module, no pinentry, no agent, no user config.
    std::map<std::string, std::string> env() const;

    /// firmante <args> --pin-fd N, N a pipe holding `pin` and a newline.
    ProcessResult withPin(std::vector<std::string> args,
                          const std::string& pin = firmante::testing::SoftHsmToken::kUserPin,
                          std::map<std::string, std::string> extraEnv = {});
    /// firmante <args> --pin-fd N --password-fd M.
    ProcessResult withPinAndPassword(std::vector<std::string> args, const std::string& pin,
                                     const std::string& password);
    /// firmante <args>, nothing on stdin.
    ProcessResult plain(std::vector<std::string> args,
                        std::map<std::string, std::string> extraEnv = {});

    /// stdout parsed as one JSON document (fails the test when it is not).
    static nlohmann::json json(const ProcessResult& r);

    /// `firmante keygen` and the new key's URI.
    std::string keygen(const std::string& type, const std::string& label);
    /// A test CA (ca.pem / ca.key in the work folder), made with the openssl command line.
    void makeCa();
    /// `firmante csr` for the key, then the CA issues a certificate for it: its path.
    std::string issueCertificate(const std::string& keyUri, const std::string& subject,
                                 const std::string& name, const std::string& days = "10");
    /// Runs a tool and fails the test when it exits non-zero.
    static ProcessResult tool(const std::vector<std::string>& argv);

    firmante::testing::SoftHsmToken token_;
    firmante::testing::TempDir work_{"firmante-cli"};
};

/// Runs argv with a pipe holding each secret inherited by the child; `{fd0}`, `{fd1}` in argv
/// are replaced by the descriptor numbers.
ProcessResult runWithSecrets(std::vector<std::string> argv, const std::vector<std::string>& secrets,
                             const std::map<std::string, std::string>& env);

}  // namespace firmante::cli::test
