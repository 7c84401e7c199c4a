#include "firmante/portal/Outbox.h"

#include "firmante/portal/Codec.h"
#include "firmante/portal/Pki.h"

#include <ctime>
#include <fstream>
#include <stdexcept>

namespace firmante::portal {

namespace {

/// RFC 2047 encoded-word so a Spanish subject survives any mail reader.
std::string encodeHeader(const std::string& utf8) {
    return "=?UTF-8?B?" + base64Encode(Bytes(utf8.begin(), utf8.end())) + "?=";
}

std::string rfc5322Date(std::chrono::system_clock::time_point t) {
    return utcTime(t, "%a, %d %b %Y %H:%M:%S +0000");
}

}  // namespace

nlohmann::json OutboxMessage::toJson(bool withBody) const {
    nlohmann::json j = {{"id", id},     {"to", to},     {"subject", subject},
                        {"date", date}, {"link", link}, {"file", file}};
    if (withBody) j["body"] = body;
    return j;
}

Outbox::Outbox(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
}

OutboxMessage Outbox::send(const std::string& to, const std::string& subject,
                           const std::string& body, const std::string& link,
                           std::chrono::system_clock::time_point now) {
    OutboxMessage m;
    m.id = randomToken(8);
    m.to = to;
    m.subject = subject;
    m.date = isoTime(now);
    m.body = body;
    m.link = link;
    std::string stamp = m.date;
    for (auto& c : stamp)
        if (c == ':') c = '-';
    m.file = stamp + "-" + m.id + ".eml";

    std::ofstream out(dir_ / m.file, std::ios::binary | std::ios::trunc);
    out << "From: Autoridad Certificadora IMSS <autoridad.certificadora@idse.invalid>\r\n"
        << "To: <" << to << ">\r\n"
        << "Subject: " << encodeHeader(subject) << "\r\n"
        << "Date: " << rfc5322Date(now) << "\r\n"
        << "Message-ID: <" << m.id << "@firmante-portal.invalid>\r\n"
        << "MIME-Version: 1.0\r\n"
        << "Content-Type: text/plain; charset=UTF-8\r\n"
        << "Content-Transfer-Encoding: 8bit\r\n"
        << "X-Firmante-Link: " << link << "\r\n"
        << "\r\n";
    for (char c : body) {
        if (c == '\n')
            out << "\r\n";
        else
            out << c;
    }
    out << "\r\n";
    if (!out.flush()) throw std::runtime_error("cannot write outbox message " + m.file);

    std::lock_guard lock(mutex_);
    messages_.push_back(m);
    return m;
}

std::vector<OutboxMessage> Outbox::list() const {
    std::lock_guard lock(mutex_);
    return messages_;
}

OutboxMessage Outbox::find(const std::string& id) const {
    std::lock_guard lock(mutex_);
    for (const auto& m : messages_)
        if (m.id == id) return m;
    return {};
}

}  // namespace firmante::portal
