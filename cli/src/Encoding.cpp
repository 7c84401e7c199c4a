#include "Encoding.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "CliError.h"
#include "Messages.h"
#include "firmante/pkcs11/Base64.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::cli {

std::string base64(std::span<const unsigned char> bytes) {
    return pkcs11::base64Encode(bytes);
}

pkcs11::Bytes base64Decode(const std::string& text) {
    auto bytes = pkcs11::base64Decode(text);
    if (!bytes) throw CliError(protocol::words::Internal, "malformed base64 from the agent");
    return std::move(*bytes);
}

std::string colonHex(std::span<const unsigned char> bytes) {
    static const char* kDigits = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i) out += ':';
        out += kDigits[bytes[i] >> 4];
        out += kDigits[bytes[i] & 0x0f];
    }
    return out;
}

pkcs11::Bytes readInputFile(const std::string& path) {
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (ec)
        throw CliError(protocol::words::InvalidParams, tr("file.cannotRead", {path, ec.message()}));
    if (size > kMaxInputFile)
        throw CliError(protocol::words::TooLarge,
                       tr("file.tooLarge", {path, std::to_string(kMaxInputFile)}));
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw CliError(protocol::words::InvalidParams,
                       tr("file.cannotRead", {path, std::strerror(errno)}));
    pkcs11::Bytes bytes(static_cast<std::size_t>(size));
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (static_cast<std::uintmax_t>(in.gcount()) != size)
        throw CliError(protocol::words::InvalidParams, tr("file.cannotRead", {path, "short read"}));
    return bytes;
}

void writeOutputFile(const std::string& path, std::span<const unsigned char> bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (out)
        out.write(reinterpret_cast<const char*>(bytes.data()),
                  static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw CliError(protocol::words::InvalidParams, tr("file.cannotWrite", {path}));
}

void writeOutputFile(const std::string& path, const std::string& text) {
    writeOutputFile(path, std::span<const unsigned char>(
                              reinterpret_cast<const unsigned char*>(text.data()), text.size()));
}

}  // namespace firmante::cli
