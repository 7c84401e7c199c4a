#include "Output.h"

#include <iostream>

#include "ExitCodes.h"
#include "HumanViews.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::cli {

void printResult(const std::string& verb, const nlohmann::json& result, bool json) {
    if (json)
        std::cout << result.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    else
        std::cout << renderHuman(verb, result);
    std::cout.flush();
}

int printError(const CliError& error, bool json) {
    std::cerr << "firmante: " << error.reason() << ": " << error.what() << std::endl;
    if (json) {
        nlohmann::json body{{"reason", error.reason()}, {"message", error.what()}};
        if (error.reason() == protocol::words::PinIncorrect) {
            body["triesLeft"] =
                error.triesLeft ? nlohmann::json(*error.triesLeft) : nlohmann::json();
            body["pinCountLow"] = error.pinCountLow;
            body["pinFinalTry"] = error.pinFinalTry;
        }
        std::cout << nlohmann::json{{"error", body}}.dump(2, ' ', false,
                                                          nlohmann::json::error_handler_t::replace)
                  << std::endl;
    }
    return exitCodeFor(error.reason());
}

}  // namespace firmante::cli
