#include "firmante/agent/TrayMenuModel.h"

#include <ctime>

namespace firmante::agent {

namespace {

using Entry = TrayMenuEntry;
using Kind = TrayMenuEntry::Kind;

std::string formatLocal(std::chrono::system_clock::time_point when, const char* format) {
    const std::time_t t = std::chrono::system_clock::to_time_t(when);
    std::tm local{};
    if (!::localtime_r(&t, &local)) return "?";
    char out[32];
    const auto n = std::strftime(out, sizeof out, format, &local);
    return std::string(out, n);
}

std::string quoted(const std::string& name) {
    return "«" + name + "»";
}

Entry text(Kind kind, prompt::Bilingual words) {
    Entry e;
    e.kind = kind;
    e.text = std::move(words);
    return e;
}

Entry action(prompt::Bilingual words, std::string id, std::string argument = {}) {
    Entry e = text(Kind::Action, std::move(words));
    e.action = std::move(id);
    e.argument = std::move(argument);
    return e;
}

}  // namespace

std::string shownDate(std::chrono::system_clock::time_point when) {
    return formatLocal(when, "%Y-%m-%d");
}

std::string shownDateTime(std::chrono::system_clock::time_point when) {
    return formatLocal(when, "%Y-%m-%d %H:%M");
}

std::optional<ExpiryNotice> expiryNotice(const CertificateSummary& certificate,
                                         std::chrono::system_clock::time_point now) {
    const auto left = certificate.notAfter - now;
    if (left > kExpiryWarning) return std::nullopt;
    const auto name = quoted(certificate.name);
    const auto date = shownDate(certificate.notAfter);
    // Where to renew is the site that issued it; the IMSS's IDSE is what most of our people use.
    if (left <= std::chrono::system_clock::duration::zero()) {
        return ExpiryNotice{
            {"Venció el " + date + ": renuévelo para volver a firmar",
             "Expired on " + date + ": renew it to sign again"},
            {"Su certificado " + name + " venció el " + date +
                 ". Ya no sirve para firmar. Renuévelo en el sitio donde lo obtuvo (por ejemplo, "
                 "el IDSE del IMSS); Firmante le acompañará en cada paso.",
             "Your certificate " + name + " expired on " + date +
                 ". It can no longer be used to sign. Renew it on the site where you got it (for "
                 "example, IMSS IDSE); Firmante will guide you through each step."}};
    }
    // Whole days left, rounded up: 29 days and an hour is "30 días".
    const auto days = std::chrono::ceil<std::chrono::days>(left).count();
    const std::string es = days == 1 ? "1 día" : std::to_string(days) + " días";
    const std::string en = days == 1 ? "1 day" : std::to_string(days) + " days";
    return ExpiryNotice{
        {"Vence en " + es + " (" + date + "): renuévelo antes",
         "Expires in " + en + " (" + date + "): renew it before then"},
        {"Su certificado " + name + " vence en " + es + ", el " + date +
             ". Renuévelo antes de esa fecha en el sitio donde lo obtuvo (por ejemplo, el IDSE "
             "del IMSS); después ya no podrá firmar con él.",
         "Your certificate " + name + " expires in " + en + ", on " + date +
             ". Renew it before then on the site where you got it (for example, IMSS IDSE); "
             "after that date you can no longer sign with it."}};
}

prompt::Bilingual stateText(TrayState state) {
    switch (state) {
        case TrayState::Idle:
            return {"Sin token conectado", "No token connected"};
        case TrayState::TokenPresent:
            return {"Token conectado", "Token connected"};
        case TrayState::Renewing:
            return {"Renovación en curso", "Renewal in progress"};
        case TrayState::WaitingForYou:
            return {"Esperando su respuesta", "Waiting for you"};
    }
    return {};
}

prompt::Bilingual trayTooltip(const StatusSnapshot& status,
                              std::chrono::system_clock::time_point now) {
    prompt::Bilingual tip;
    if (status.state == TrayState::TokenPresent && status.tokens.size() == 1) {
        const auto name = quoted(status.tokens.front().label);
        tip = {"Firmante — Token " + name + " conectado",
               "Firmante — Token " + name + " connected"};
    } else {
        const auto state = stateText(status.state);
        tip = {"Firmante — " + state.es, "Firmante — " + state.en};
    }
    std::size_t soon = 0;
    for (const auto& token : status.tokens) {
        for (const auto& c : token.certificates) soon += expiryNotice(c, now) ? 1 : 0;
    }
    if (soon > 0) {
        tip.es += soon == 1 ? "\nUn certificado necesita renovarse"
                            : "\n" + std::to_string(soon) + " certificados necesitan renovarse";
        tip.en += soon == 1 ? "\nA certificate needs renewing"
                            : "\n" + std::to_string(soon) + " certificates need renewing";
    }
    return tip;
}

std::vector<TrayMenuEntry> trayMenu(const StatusSnapshot& status,
                                    std::chrono::system_clock::time_point now) {
    std::vector<Entry> menu;
    const auto state = stateText(status.state);
    menu.push_back(text(Kind::Heading, {"Firmante — " + state.es, "Firmante — " + state.en}));
    menu.push_back(text(Kind::Separator, {}));

    menu.push_back(text(Kind::Heading, {"Tokens y certificados", "Tokens and certificates"}));
    if (status.tokens.empty()) {
        menu.push_back(text(Kind::Text, {"Conecte su token: no hay ninguno conectado",
                                         "Connect your token: none is connected"}));
    }
    for (const auto& token : status.tokens) {
        const auto name = quoted(token.label);
        menu.push_back(text(Kind::Text, {"Token " + name, "Token " + name}));
        if (!token.certificatesRead) {
            menu.push_back(text(
                Kind::Text, {"    Leyendo sus certificados…", "    Reading its certificates…"}));
            continue;
        }
        if (token.certificates.empty()) {
            menu.push_back(text(Kind::Text, {"    Sin certificados", "    No certificates"}));
        }
        for (const auto& c : token.certificates) {
            const auto date = shownDate(c.notAfter);
            const bool expired = c.notAfter <= now;
            menu.push_back(
                text(Kind::Text,
                     {"    " + c.name + (expired ? " — venció el " : " — vigente hasta ") + date,
                      "    " + c.name + (expired ? " — expired on " : " — valid until ") + date}));
            if (auto notice = expiryNotice(c, now)) {
                Entry warning = text(Kind::Warning, {"    ⚠ " + notice->shortText.es,
                                                     "    ⚠ " + notice->shortText.en});
                warning.detail = notice->message;
                menu.push_back(std::move(warning));
            }
        }
    }
    menu.push_back(text(Kind::Separator, {}));

    const auto count = std::to_string(status.sites.size());
    menu.push_back(text(Kind::BeginSubmenu,
                        {"Sitios permitidos (" + count + ")", "Allowed sites (" + count + ")"}));
    if (status.sites.empty()) {
        menu.push_back(text(Kind::Text, {"Ningún sitio todavía", "No site yet"}));
    }
    for (const auto& site : status.sites) {
        if (site.byAdministrator) {
            menu.push_back(text(Kind::Text, {site.origin + " (lo autorizó su administrador)",
                                             site.origin + " (allowed by your administrator)"}));
        } else {
            Entry revoke = action({"Quitar el permiso a " + site.origin, "Revoke " + site.origin},
                                  "revokeSite", site.origin);
            revoke.detail = {
                "El sitio tendrá que volver a pedirle permiso para usar sus "
                "certificados.",
                "The site will have to ask you again before it uses your "
                "certificates."};
            menu.push_back(std::move(revoke));
        }
    }
    menu.push_back(text(Kind::EndSubmenu, {}));

    menu.push_back(text(Kind::BeginSubmenu, {"Actividad reciente", "Recent activity"}));
    if (status.activity.empty()) {
        menu.push_back(
            text(Kind::Text, {"Nada desde que inició Firmante", "Nothing since Firmante started"}));
    }
    for (const auto& a : status.activity) {
        // Today's entries by the time alone: the line stays short enough for a menu.
        const auto full = shownDateTime(a.when);
        const auto when = full.substr(0, 10) == shownDate(now) ? full.substr(11) : full;
        const auto file = a.fileName.empty() ? std::string() : " " + quoted(a.fileName);
        menu.push_back(text(Kind::Text, {when + " · " + a.what.es + file + " · " + a.site,
                                         when + " · " + a.what.en + file + " · " + a.site}));
    }
    menu.push_back(text(Kind::EndSubmenu, {}));

    menu.push_back(text(Kind::Separator, {}));
    menu.push_back(action({"Abrir la bitácora", "Open the log"}, "openLog"));
    // Named in the language it switches to, as the dialogs' corner button.
    menu.push_back(action({"English", "Español"}, "switchLanguage"));
    menu.push_back(action({"Salir de Firmante", "Quit Firmante"}, "quit"));
    return menu;
}

}  // namespace firmante::agent
