#include "Arguments.h"

#include <charconv>

#include "CliError.h"
#include "Messages.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::cli {
namespace {

struct VerbFlags {
    std::vector<std::string> values;
    std::vector<std::string> switches;
    // Value flags that may be given more than once (`sign --in a --in b`, issue 12 §4).
    std::vector<std::string> repeatable;
};

// Flags every verb accepts. --direct skips the agent; --token/--module/--pin-fd only matter on
// the direct path, and are accepted everywhere so that scripts can pass them uniformly.
const std::vector<std::string> kCommonValues{"token", "module", "pin-fd"};
const std::vector<std::string> kCommonSwitches{"json", "help", "direct"};

const std::map<std::string, VerbFlags>& verbFlags() {
    static const std::map<std::string, VerbFlags> table{
        {"tokens", {}},
        {"certs", {{}, {"login"}, {}}},
        {"keys", {}},
        {"keygen", {{"type", "label"}, {}, {}}},
        {"csr", {{"key", "subject", "out"}, {}, {}}},
        {"sign", {{"cert", "in", "out", "out-dir"}, {"allow-expired"}, {"in"}}},
        {"verify", {{"in", "sig", "ca"}, {"ignore-expiry"}, {}}},
        {"import-cert", {{"in", "label"}, {}, {}}},
        {"import-pfx", {{"in", "label", "password-fd"}, {}, {}}},
        {"renew",
         {{"portal", "user", "certificate", "key-type", "email"}, {"retire-old", "keep-old"}, {}}},
        {"doctor", {}},
    };
    return table;
}

bool contains(const std::vector<std::string>& list, const std::string& name) {
    for (const auto& item : list)
        if (item == name) return true;
    return false;
}

// A secret typed as an argument would sit in /proc/<pid>/cmdline and the shell history.
bool looksLikeSecretFlag(const std::string& name) {
    return name == "pin" || name == "password" || name == "pass" || name == "pin-value" ||
           name == "so-pin" || name == "passin";
}

}  // namespace

const std::vector<std::string>& Arguments::verbs() {
    static const std::vector<std::string> order{"tokens",     "certs", "keys",   "keygen",
                                                "csr",        "sign",  "verify", "import-cert",
                                                "import-pfx", "renew", "doctor"};
    return order;
}

bool Arguments::usesToken(const std::string& verb) {
    return verb != "verify" && verb != "renew" && verb != "doctor";
}

Arguments Arguments::parse(int argc, char** argv) {
    Arguments args;
    int i = 1;
    // `firmante --help` and `firmante help [verb]` show the overview (or the verb's help).
    if (i < argc && (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h" ||
                     std::string(argv[i]) == "help")) {
        args.switches_.insert("help");
        if (i + 1 < argc && verbFlags().count(argv[i + 1])) args.verb_ = argv[i + 1];
        return args;
    }
    if (i >= argc) throw CliError(protocol::words::InvalidParams, tr("usage.missingVerb"));
    args.verb_ = argv[i++];
    auto flags = verbFlags().find(args.verb_);
    if (flags == verbFlags().end())
        throw CliError(protocol::words::InvalidParams, tr("usage.unknownVerb", {args.verb_}));

    for (; i < argc; ++i) {
        std::string word = argv[i];
        if (word == "-h") word = "--help";
        if (word.rfind("--", 0) != 0 || word.size() == 2)
            throw CliError(protocol::words::InvalidParams, tr("usage.unexpected", {word}));
        std::string name = word.substr(2);
        std::optional<std::string> inlineValue;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inlineValue = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        if (looksLikeSecretFlag(name))
            throw CliError(protocol::words::InvalidParams, tr("usage.noPinArgument"));
        bool isSwitch = contains(kCommonSwitches, name) || contains(flags->second.switches, name);
        bool isValue = contains(kCommonValues, name) || contains(flags->second.values, name);
        if (isSwitch) {
            if (inlineValue)
                throw CliError(protocol::words::InvalidParams, tr("usage.noValue", {"--" + name}));
            args.switches_.insert(name);
        } else if (isValue) {
            if (!inlineValue) {
                if (i + 1 >= argc)
                    throw CliError(protocol::words::InvalidParams,
                                   tr("usage.missingValue", {"--" + name}));
                inlineValue = argv[++i];
            }
            if (args.values_.count(name) && !contains(flags->second.repeatable, name))
                throw CliError(protocol::words::InvalidParams, tr("usage.repeated", {"--" + name}));
            args.values_.emplace(name, *inlineValue);  // the first one
            args.lists_[name].push_back(*inlineValue);
        } else {
            throw CliError(protocol::words::InvalidParams,
                           tr("usage.unknownFlag", {"--" + name, args.verb_}));
        }
    }
    return args;
}

std::optional<std::string> Arguments::value(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

std::vector<std::string> Arguments::values(const std::string& name) const {
    auto it = lists_.find(name);
    return it == lists_.end() ? std::vector<std::string>{} : it->second;
}

std::string Arguments::required(const std::string& name) const {
    auto v = value(name);
    if (!v || v->empty())
        throw CliError(protocol::words::InvalidParams, tr("usage.required", {"--" + name}));
    return *v;
}

std::optional<int> Arguments::descriptor(const std::string& name) const {
    auto v = value(name);
    if (!v) return std::nullopt;
    int fd = -1;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), fd);
    if (ec != std::errc() || end != v->data() + v->size() || fd < 0)
        throw CliError(protocol::words::InvalidParams,
                       tr("usage.badDescriptor", {"--" + name, *v}));
    return fd;
}

}  // namespace firmante::cli
