#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace firmante::cli {

/// The command line, checked against the verb's own flags. There is deliberately no flag that
/// takes a PIN or password: those come from a file descriptor, pinentry or the terminal.
class Arguments {
  public:
    /// Parses argv. Throws CliError(INVALID_PARAMS) for an unknown verb or flag, a missing value,
    /// or anything that looks like a PIN argument. `--help` anywhere sets help().
    static Arguments parse(int argc, char** argv);

    const std::string& verb() const noexcept { return verb_; }
    bool json() const noexcept { return switches_.count("json") != 0; }
    bool help() const noexcept { return switches_.count("help") != 0; }
    bool has(const std::string& flag) const { return switches_.count(flag) != 0; }

    /// The value of `--name`, if given.
    std::optional<std::string> value(const std::string& name) const;
    /// Every value of a repeatable `--name`, in order (empty when absent).
    std::vector<std::string> values(const std::string& name) const;
    /// The value of `--name`; throws CliError(INVALID_PARAMS) naming the flag when absent.
    std::string required(const std::string& name) const;
    /// A file descriptor number given as `--name N`; throws CliError(INVALID_PARAMS) if malformed.
    std::optional<int> descriptor(const std::string& name) const;

    /// The verbs, in the order `--help` lists them.
    static const std::vector<std::string>& verbs();
    /// Whether a verb needs a token at all (verify does not).
    static bool usesToken(const std::string& verb);

  private:
    std::string verb_;
    std::map<std::string, std::string> values_;
    std::map<std::string, std::vector<std::string>> lists_;
    std::set<std::string> switches_;
};

}  // namespace firmante::cli
