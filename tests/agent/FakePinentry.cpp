// A pinentry stand-in for tests: speaks enough Assuan for PinentryPrompter, answers from a
// script, and records what a person would have been shown.
//
//   FAKE_PINENTRY_SCRIPT  file of answers, one per question, consumed from the top:
//                         "pin 123456", "cancel", "confirm yes", "confirm no"
//                         (no answer left: cancel); "hold <answer>" first creates
//                         <script>.held, then waits (at most 30 s) for <script>.release, so a
//                         test can keep a token's worker busy in a prompt; "hang" writes
//                         <script>.held and then never answers, ignoring SIGTERM like some
//                         pinentry builds (it gives up by itself after 60 s). Both write this
//                         process's pid into <script>.held.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>
//   FAKE_PINENTRY_LOG     JSON lines appended per question: command, title, description,
//                         prompt, error, ok, cancel, answer (never the PIN itself)
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

std::string decode(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::string encode(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '%' || c == '\n' || c == '\r') {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
            out += buf;
        } else {
            out += c;
        }
    }
    return out;
}

// Takes the first line of the script and writes the rest back: every pinentry run is a new
// process, so the script file is the only state shared between questions.
std::string nextAnswer() {
    const char* path = std::getenv("FAKE_PINENTRY_SCRIPT");
    if (!path) return "cancel";
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(line);
    }
    in.close();
    if (lines.empty()) return "cancel";
    std::ofstream out(path, std::ios::trunc);
    for (std::size_t i = 1; i < lines.size(); ++i) out << lines[i] << "\n";
    return lines.front();
}

void record(const nlohmann::json& entry) {
    const char* path = std::getenv("FAKE_PINENTRY_LOG");
    if (!path) return;
    std::ofstream out(path, std::ios::app);
    out << entry.dump() << "\n";
}

}  // namespace

int main() {
    std::cout << "OK Pleased to meet you (fake)\n" << std::flush;
    nlohmann::json shown = nlohmann::json::object();
    for (std::string line; std::getline(std::cin, line);) {
        const auto space = line.find(' ');
        const std::string command = line.substr(0, space);
        const std::string argument =
            space == std::string::npos ? "" : decode(line.substr(space + 1));
        if (command == "SETTITLE")
            shown["title"] = argument;
        else if (command == "SETDESC")
            shown["description"] = argument;
        else if (command == "SETPROMPT")
            shown["prompt"] = argument;
        else if (command == "SETERROR")
            shown["error"] = argument;
        else if (command == "SETOK")
            shown["ok"] = argument;
        else if (command == "SETCANCEL")
            shown["cancel"] = argument;
        else if (command == "OPTION")
            shown["options"].push_back(argument);
        else if (command == "BYE") {
            std::cout << "OK closing connection\n" << std::flush;
            return 0;
        } else if (command == "GETPIN" || command == "CONFIRM") {
            std::string answer = nextAnswer();
            if (answer == "hang") {
                ::signal(SIGTERM, SIG_IGN);
                const std::string script = std::getenv("FAKE_PINENTRY_SCRIPT");
                {
                    std::ofstream held(script + ".held.tmp");
                    held << ::getpid() << "\n";
                }
                std::filesystem::rename(script + ".held.tmp", script + ".held");
                std::this_thread::sleep_for(std::chrono::seconds(60));
                return 1;
            }
            if (answer.rfind("hold ", 0) == 0) {
                answer = answer.substr(5);
                const std::string script = std::getenv("FAKE_PINENTRY_SCRIPT");
                {
                    std::ofstream held(script + ".held.tmp");
                    held << ::getpid() << "\n";
                }
                std::filesystem::rename(script + ".held.tmp", script + ".held");
                const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
                while (!std::filesystem::exists(script + ".release") &&
                       std::chrono::steady_clock::now() < deadline) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                }
            }
            nlohmann::json entry = shown;
            entry["command"] = command;
            if (command == "GETPIN" && answer.rfind("pin ", 0) == 0) {
                entry["answer"] = "pin";
                record(entry);
                std::cout << "D " << encode(answer.substr(4)) << "\nOK\n" << std::flush;
            } else if (command == "CONFIRM" && answer == "confirm yes") {
                entry["answer"] = "yes";
                record(entry);
                std::cout << "OK\n" << std::flush;
            } else {
                entry["answer"] = answer;
                record(entry);
                std::cout << "ERR 83886179 Operation cancelled <Pinentry>\n" << std::flush;
            }
            continue;
        } else {
            std::cout << "ERR 536871187 Unknown IPC command <User defined source 1>\n"
                      << std::flush;
            continue;
        }
        std::cout << "OK\n" << std::flush;
    }
    return 0;
}
