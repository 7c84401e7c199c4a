// Issue 10 §7: a CLI start pays only for what it uses. Poppler and its libraries are loaded from
// firmante-pdf when a letter is read, never by `firmante --help` or `firmante tokens`. The
// dynamic loader itself says what it loaded (LD_DEBUG=files), not our code.

#include <gtest/gtest.h>

#include <string>

#include "CliTest.h"
#include "firmante/testing/Process.h"

namespace firmante::cli::test {
namespace {

class CliStartup : public CliTest {};

/// The libraries the loader opened for one run of `firmante args…`.
std::string loadedLibraries(const std::vector<std::string>& args,
                            std::map<std::string, std::string> env) {
    std::vector<std::string> argv{FIRMANTE_CLI};
    argv.insert(argv.end(), args.begin(), args.end());
    env["LD_DEBUG"] = "files";
    return firmante::testing::run(argv, {}, env).err;
}

TEST_F(CliStartup, HelpAndTokensLoadNoPdfLibraries) {
    for (const std::vector<std::string> args :
         {std::vector<std::string>{"--help"}, std::vector<std::string>{"tokens"}}) {
        const std::string loaded = loadedLibraries(args, env());
        // The loader's report is there (libcrypto is always needed): the check below can fail.
        ASSERT_NE(loaded.find("file=libcrypto.so"), std::string::npos) << args[0] << "\n" << loaded;
        EXPECT_EQ(loaded.find("libpoppler"), std::string::npos) << args[0];
        EXPECT_EQ(loaded.find("firmante-pdf"), std::string::npos) << args[0];
    }
}

}  // namespace
}  // namespace firmante::cli::test
