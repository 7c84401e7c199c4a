#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <string>

#include "firmante/pkcs11/Types.h"

namespace firmante::cli {

/// Largest file the CLI reads (a document to sign, a signature, a certificate, a .pfx), checked
/// before anything is allocated (DESIGN §3 rule 6).
constexpr std::size_t kMaxInputFile = 256u * 1024u * 1024u;

std::string base64(std::span<const unsigned char> bytes);
/// Standard base64 with padding; throws CliError(INTERNAL) when malformed (it comes from the
/// agent).
pkcs11::Bytes base64Decode(const std::string& text);
/// Lower-case hex pairs separated by ':' — how people compare IDs.
std::string colonHex(std::span<const unsigned char> bytes);

/// Reads a whole file. Throws CliError(INVALID_PARAMS) when it cannot be read, TOO_LARGE above
/// kMaxInputFile.
pkcs11::Bytes readInputFile(const std::string& path);
/// Writes a whole file (replacing it). Throws CliError(INVALID_PARAMS) when it cannot.
void writeOutputFile(const std::string& path, std::span<const unsigned char> bytes);
void writeOutputFile(const std::string& path, const std::string& text);

}  // namespace firmante::cli
