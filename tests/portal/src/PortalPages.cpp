// The portal's pages: every page shares one frame, web/layout.html (the head, the IMSS header, the
// footer), and each page file holds only its own content after a comment naming what the frame
// needs. One copy of the frame for the three pages and the mailbox.
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <regex>

#include "firmante/portal/Portal.h"
#include "firmante/portal/PortalError.h"

namespace firmante::portal {

namespace fs = std::filesystem;

namespace {

std::string htmlEscape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::optional<std::string> readText(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

PortalError notFound(const std::string& path) {
    return PortalError("NOT_FOUND", 404, "Página no encontrada.", "Not found", {{"path", path}});
}

/// What the frame takes from a page: its title, its script (a file under /static/, or none) and
/// the heading under the IMSS header.
struct Frame {
    std::string titulo;
    std::string script;
    std::string direccion;
};

/// A page file opens with `<!-- titulo: …` / `script: …` / `direccion: … -->`, one field a line;
/// the content follows. Throws PortalError (500) naming the file when a field is missing.
std::pair<Frame, std::string> splitPage(const std::string& text, const std::string& file) {
    const auto bad = [&](const std::string& why) {
        return PortalError("PAGE_BROKEN", 500, "La página " + file + " está mal formada.",
                           file + ": " + why);
    };
    if (!text.starts_with("<!--")) throw bad("no opening comment");
    const auto end = text.find("-->");
    if (end == std::string::npos) throw bad("the opening comment does not end");
    static const std::regex field(R"(^\s*(?:<!--)?\s*([a-z]+):\s*(.*?)\s*$)");
    std::map<std::string, std::string> fields;
    std::size_t at = 0;
    const std::string head = text.substr(0, end);
    while (at <= head.size()) {
        const auto nl = head.find('\n', at);
        const std::string line = head.substr(at, nl == std::string::npos ? nl : nl - at);
        if (std::smatch m; std::regex_match(line, m, field)) fields[m[1]] = m[2];
        if (nl == std::string::npos) break;
        at = nl + 1;
    }
    for (const char* name : {"titulo", "direccion"})
        if (!fields.contains(name)) throw bad(std::string("no ") + name);
    std::string content = text.substr(end + 3);
    if (content.starts_with("\n")) content.erase(0, 1);
    return {{fields["titulo"], fields["script"], fields["direccion"]}, content};
}

/// `layout` with its {{titulo}}, {{script}}, {{direccion}} and {{contenido}} filled in; the frame's
/// fields are escaped, the content is the page's own HTML.
std::string framed(std::string layout, const Frame& frame, const std::string& content) {
    const std::string script = frame.script.empty() ? std::string()
                                                    : "<script type=\"module\" src=\"/static/" +
                                                          htmlEscape(frame.script) + "\"></script>";
    for (const auto& [name, value] :
         {std::pair<std::string, std::string>{"{{titulo}}", htmlEscape(frame.titulo)},
          {"{{script}}", script},
          {"{{direccion}}", htmlEscape(frame.direccion)},
          {"{{contenido}}", content}}) {
        const auto at = layout.find(name);
        if (at != std::string::npos) layout.replace(at, name.size(), value);
    }
    return layout;
}

bool endsWith(const std::string& s, const char* suffix) {
    const std::size_t n = std::strlen(suffix);
    return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

}  // namespace

PortalResponse Portal::page(const std::string& path) {
    std::string file;
    fs::path dir = options_.webDir;
    bool isPage = true;
    if (path == "/" || path == "/index.html")
        file = "index.html";
    else if (path == "/renovacion")
        file = "renovacion.html";
    else if (path.rfind("/liga/", 0) == 0)
        file = "certificado.html";
    else if (path.rfind("/static/", 0) == 0) {
        file = path.substr(8);
        isPage = false;
    } else if (path == "/firmante.js" && !options_.pageApiDir.empty()) {
        file = "firmante.js";
        dir = options_.pageApiDir;
        isPage = false;
    }
    static const std::regex safe(R"(^[A-Za-z0-9_-][A-Za-z0-9._-]{0,80}$)");
    if (file.empty() || dir.empty() || !std::regex_match(file, safe) ||
        file.find("..") != std::string::npos)
        throw notFound(path);
    const auto text = readText(dir / file);
    if (!text) throw notFound(path);
    PortalResponse r;
    if (isPage) {
        const auto layout = readText(dir / "layout.html");
        if (!layout) throw notFound(path);
        const auto [frame, content] = splitPage(*text, file);
        r.body = framed(*layout, frame, content);
    } else {
        r.body = *text;
    }
    r.contentType = endsWith(file, ".html")  ? "text/html; charset=utf-8"
                    : endsWith(file, ".js")  ? "text/javascript; charset=utf-8"
                    : endsWith(file, ".css") ? "text/css; charset=utf-8"
                    : endsWith(file, ".svg") ? "image/svg+xml"
                                             : "application/octet-stream";
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("Cache-Control", "no-cache");
    if (endsWith(file, ".html")) {
        r.headers.emplace_back("Content-Security-Policy",
                               "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "connect-src 'self' ws://127.0.0.1:*; frame-ancestors 'none'");
    }
    return r;
}

PortalResponse Portal::mailboxPage() {
    std::string rows;
    auto messages = outbox_.list();
    for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
        std::string path = it->link.substr(it->link.find("/liga/"));
        rows += "<tr><td>" + htmlEscape(it->date) + "</td><td>" + htmlEscape(it->to) + "</td><td>" +
                htmlEscape(it->subject) + "</td><td><a href=\"" + htmlEscape(path) +
                "\">Dar clic</a></td><td><code>" + htmlEscape(it->file) + "</code></td></tr>\n";
    }
    if (rows.empty()) rows = "<tr><td colspan=\"5\">No hay mensajes.</td></tr>\n";
    const std::string content =
        "<h1>Buzón de correo</h1><p>Mensajes enviados por el portal de prueba (carpeta "
        "<code>outbox/</code> del directorio de estado).</p>\n"
        "<table class=\"datos\" id=\"buzon\"><thead><tr><th>Fecha</th><th>Para</th><th>Asunto"
        "</th><th>Liga</th><th>Archivo</th></tr></thead><tbody>\n" +
        rows + "</tbody></table>\n";
    PortalResponse r;
    r.contentType = "text/html; charset=utf-8";
    const Frame frame{"Buzón de correo (prueba) - IDSE", "", "BUZÓN DE CORREO DE PRUEBA"};
    // Without the pages (no web folder) the mailbox is still listed, unframed.
    const auto layout =
        options_.webDir.empty() ? std::nullopt : readText(options_.webDir / "layout.html");
    r.body = layout ? framed(*layout, frame, content)
                    : "<!DOCTYPE html>\n<meta charset=\"utf-8\"><title>" + frame.titulo +
                          "</title>\n" + content;
    r.headers.emplace_back("Cache-Control", "no-store");
    r.headers.emplace_back("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
    return r;
}

}  // namespace firmante::portal
