#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "CliError.h"

namespace firmante::cli {

/// Prints a verb's result on stdout: one JSON document with --json, the localised view otherwise.
void printResult(const std::string& verb, const nlohmann::json& result, bool json);

/// Prints `firmante: <REASON>: <message>` on stderr (and with --json, {"error":{…}} on stdout)
/// and returns the exit status for the reason.
int printError(const CliError& error, bool json);

}  // namespace firmante::cli
