#include "firmante/agent/AgentConfig.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "firmante/agent/Origin.h"

namespace firmante::agent {

namespace {

std::size_t positive(const nlohmann::json& limits, const char* name, std::size_t fallback,
                     std::size_t max) {
    auto it = limits.find(name);
    if (it == limits.end()) return fallback;
    if (!it->is_number_integer() || it->get<long long>() < 1 ||
        static_cast<unsigned long long>(it->get<long long>()) > max) {
        throw std::runtime_error(std::string("limits.") + name + " must be a number from 1 to " +
                                 std::to_string(max));
    }
    return it->get<std::size_t>();
}

}  // namespace

AgentConfig AgentConfig::fromJson(const nlohmann::json& document) {
    if (!document.is_object()) throw std::runtime_error("the config must be a JSON object");
    AgentConfig config;
    config.document = document;
    if (auto it = document.find("module"); it != document.end() && !it->is_null()) {
        if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
            throw std::runtime_error("\"module\" must be a file path");
        }
        config.module = it->get<std::string>();
    }
    if (auto it = document.find("allowedOrigins"); it != document.end()) {
        if (!it->is_array()) throw std::runtime_error("\"allowedOrigins\" must be a list");
        for (const auto& origin : *it) {
            if (!origin.is_string() || !isValidOrigin(origin.get_ref<const std::string&>())) {
                throw std::runtime_error(
                    "\"allowedOrigins\" holds something that is not an origin "
                    "(scheme://host[:port])");
            }
            config.allowedOrigins.push_back(origin.get<std::string>());
        }
    }
    if (auto it = document.find("limits"); it != document.end()) {
        if (!it->is_object()) throw std::runtime_error("\"limits\" must be an object");
        auto& l = config.limits;
        // Upper bounds keep a typo from disabling a protection (a 4 GiB frame limit is none).
        l.maxFrameBytes = positive(*it, "maxFrameBytes", l.maxFrameBytes, 64u << 20);
        l.maxJsonDepth = positive(*it, "maxJsonDepth", l.maxJsonDepth, 256);
        l.maxDocumentBytes = positive(*it, "maxDocumentBytes", l.maxDocumentBytes, 32u << 20);
        l.maxBatchBytes = positive(*it, "maxBatchBytes", l.maxBatchBytes, 64u << 20);
        l.queueLength = positive(*it, "queueLength", l.queueLength, 1024);
        l.queueTimeout = std::chrono::seconds(
            positive(*it, "queueTimeoutSeconds", l.queueTimeout.count(), 3600));
        l.promptTimeout = std::chrono::seconds(
            positive(*it, "promptTimeoutSeconds", l.promptTimeout.count(), 3600));
        l.maxUnixConnections = positive(*it, "maxUnixConnections", l.maxUnixConnections, 4096);
        l.unixIdleTimeout = std::chrono::seconds(
            positive(*it, "unixIdleTimeoutSeconds", l.unixIdleTimeout.count(), 86400));
    }
    if (auto it = document.find("renewal"); it != document.end()) {
        if (it->is_object()) {
            if (auto req = it->find("requireConfirmedProvenance"); req != it->end()) {
                if (!req->is_boolean())
                    throw std::runtime_error(
                        "renewal.requireConfirmedProvenance must be true or false");
                config.requireConfirmedProvenance = req->get<bool>();
            }
        }
        const auto issuers = it->is_object() ? it->find("trustedIssuers") : it->end();
        if (!it->is_object() || (issuers != it->end() && !issuers->is_object()))
            throw std::runtime_error(
                "\"renewal.trustedIssuers\" must map origins to lists of CA certificate files");
        if (issuers != it->end()) {
            for (const auto& [origin, files] : issuers->items()) {
                if (!isValidOrigin(origin) || !files.is_array())
                    throw std::runtime_error(
                        "\"renewal.trustedIssuers\" must map origins to "
                        "lists of CA certificate files");
                auto& list = config.trustedIssuers[origin];
                for (const auto& file : files) {
                    if (!file.is_string() || file.get_ref<const std::string&>().empty())
                        throw std::runtime_error(
                            "\"renewal.trustedIssuers\" lists something that is not a file path");
                    list.emplace_back(file.get<std::string>());
                }
            }
        }
    }
    if (auto it = document.find("tokens"); it != document.end()) {
        if (!it->is_object()) throw std::runtime_error("\"tokens\" must be an object");
        if (auto poll = it->find("pollMilliseconds"); poll != it->end()) {
            if (!poll->is_number_integer() || poll->get<long long>() < 100 ||
                poll->get<long long>() > 600000)
                throw std::runtime_error(
                    "tokens.pollMilliseconds must be a number from 100 to 600000");
            config.tokenPoll = std::chrono::milliseconds(poll->get<long long>());
        }
        if (auto re = it->find("reinitialize"); re != it->end()) {
            if (!re->is_boolean())
                throw std::runtime_error("tokens.reinitialize must be true or false");
            config.reinitializeModule = re->get<bool>();
        }
    }
    if (auto it = document.find("pin"); it != document.end()) {
        if (!it->is_object()) throw std::runtime_error("\"pin\" must be an object");
        if (auto ask = it->find("alwaysAsk"); ask != it->end()) {
            if (!ask->is_boolean()) throw std::runtime_error("pin.alwaysAsk must be true or false");
            config.alwaysAskPin = ask->get<bool>();
        }
        config.unlockIdle =
            std::chrono::minutes(positive(*it, "idleMinutes", config.unlockIdle.count(), 60));
    }
    return config;
}

AgentConfig AgentConfig::load(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) return AgentConfig{};
        throw std::runtime_error("cannot read the config file " + path.string());
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto document = nlohmann::json::parse(text.str(), nullptr, false);
    if (document.is_discarded()) {
        throw std::runtime_error("the config file " + path.string() + " is not valid JSON");
    }
    try {
        return fromJson(document);
    } catch (const std::exception& e) {
        throw std::runtime_error("config file " + path.string() + ": " + e.what());
    }
}

}  // namespace firmante::agent
