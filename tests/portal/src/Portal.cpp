#include "firmante/portal/Portal.h"

#include "firmante/portal/LetterRenderer.h"
#include "firmante/portal/LetterVerifier.h"
#include "firmante/portal/Pki.h"
#include "firmante/portal/PortalError.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <regex>

namespace firmante::portal {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::system_clock;

namespace {

constexpr const char* kSessionCookie = "IDSE_SESSION";
constexpr size_t kMaxJsonDepth = 16;
constexpr size_t kMaxField = 1024 * 1024;

PortalError badRequest(const std::string& es, const std::string& en,
                       json details = json::object()) {
    return PortalError("BAD_REQUEST", 400, es, en, std::move(details));
}

PortalError invalidField(const std::string& field, const std::string& es, const std::string& en) {
    return PortalError("INVALID_FIELD", 400, es, en, {{"field", field}});
}

PortalError stepOrder(int current, int requested, const std::string& extraEs = {}) {
    std::string es = requested <= current
                         ? "El paso " + std::to_string(requested) +
                               " ya fue realizado en este trámite. No use los botones Adelante y "
                               "Atrás del navegador."
                         : "Debe completar el paso " + std::to_string(current + 1) +
                               " antes del paso " + std::to_string(requested) + ".";
    if (!extraEs.empty()) es = extraEs;
    return PortalError("STEP_ORDER", 409, es,
                       "Step " + std::to_string(requested) +
                           " is not the next step (completed: " + std::to_string(current) + ")",
                       {{"completedStep", current}, {"requestedStep", requested}});
}

void requireRenewalStep(const RenewalSession& s, int step) {
    if (s.mode != RenewalSession::Mode::Renewal) {
        if (s.mode == RenewalSession::Mode::LoggedIn)
            throw stepOrder(s.completedStep, step,
                            "Su Certificado Digital está vigente; no requiere renovación.");
        if (s.mode == RenewalSession::Mode::Renewed) throw stepOrder(11, step);
        throw stepOrder(s.completedStep, step,
                        "Inicie sesión con su Certificado Digital antes de renovarlo.");
    }
    if (s.completedStep != step - 1) throw stepOrder(s.completedStep, step);
}

json jsonFrom(const Bytes& b) {
    return base64Encode(b);
}

std::string requireString(const json& body, const char* field, size_t maxLen = kMaxField) {
    auto it = body.find(field);
    if (it == body.end() || !it->is_string())
        throw invalidField(field, std::string("Falta el campo «") + field + "».",
                           std::string("missing string field '") + field + "'");
    const auto& s = it->get_ref<const std::string&>();
    if (s.size() > maxLen)
        throw invalidField(field, std::string("El campo «") + field + "» es demasiado largo.",
                           std::string("field '") + field + "' too long");
    return s;
}

Bytes requireBase64(const json& body, const char* field) {
    auto decoded = base64Decode(requireString(body, field));
    if (!decoded || decoded->empty())
        throw invalidField(field, std::string("El campo «") + field + "» no es base64 válido.",
                           std::string("field '") + field + "' is not standard base64");
    return *decoded;
}

/// Bracket depth outside strings; refuses pathological nesting before parsing.
bool nestingWithin(const std::string& text, size_t limit) {
    size_t depth = 0;
    bool inString = false, escaped = false;
    for (char c : text) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            if (++depth > limit) return false;
        } else if (c == '}' || c == ']') {
            if (depth > 0) --depth;
        }
    }
    return true;
}

PortalResponse jsonResponse(const json& body, int status = 200) {
    PortalResponse r;
    r.status = status;
    r.body = body.dump();
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
}

PortalResponse fileResponse(const Bytes& data, const std::string& type, const std::string& name) {
    PortalResponse r;
    r.contentType = type;
    r.body.assign(data.begin(), data.end());
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
    r.headers.emplace_back("Cache-Control", "no-store");
    r.headers.emplace_back("X-Content-Sha256", hexEncode(sha256(data)));
    return r;
}

std::string cookieValue(const std::string& header, const std::string& name) {
    size_t pos = 0;
    while (pos < header.size()) {
        size_t end = header.find(';', pos);
        if (end == std::string::npos) end = header.size();
        std::string part = header.substr(pos, end - pos);
        size_t start = part.find_first_not_of(' ');
        if (start != std::string::npos) part = part.substr(start);
        if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
        pos = end + 1;
    }
    return {};
}

bool isEmail(const std::string& s) {
    static const std::regex re(R"(^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,189}\.[A-Za-z]{2,24}$)");
    return std::regex_match(s, re);
}

bool isPhone(const std::string& s) {
    static const std::regex re(R"(^[0-9]{7,15}$)");
    return std::regex_match(s, re);
}

/// The CA-side checks every certificate presented to the portal passes.
void requireEmployerCertificate(const CertificateAuthority& ca, const CertificateRegistry& registry,
                                X509* cert, const std::string& user) {
    std::string why;
    if (!ca.verifyChain(cert, false, &why))
        throw PortalError("CERTIFICATE_UNTRUSTED", 403,
                          "El Certificado Digital no fue emitido por la Autoridad Certificadora "
                          "del IMSS.",
                          "The certificate does not chain to the portal CA: " + why);
    if (registry.isRevoked(serialHex(cert)))
        throw PortalError("CERTIFICATE_REVOKED", 403,
                          "Este Certificado Digital fue sustituido por uno renovado y ya no es "
                          "válido. Ingrese con su nuevo Certificado Digital.",
                          "The certificate was superseded by a renewal (revoked).");
    if (nameEntry(X509_get_subject_name(cert), NID_userId) != user)
        throw PortalError("USER_MISMATCH", 403,
                          "El Certificado Digital no corresponde al usuario " + user + ".",
                          "The certificate's subject (UID) does not name this user.");
}

std::string algorithmOf(const json& body) {
    std::string alg = requireString(body, "algorithm", 16);
    if (alg != "RS256" && alg != "ES256" && alg != "ES384")
        throw invalidField("algorithm", "Algoritmo de firma no admitido (RS256, ES256 o ES384).",
                           "algorithm must be RS256, ES256 or ES384");
    return alg;
}

json certificateJson(X509* cert) {
    return {{"subject", nameToString(X509_get_subject_name(cert))},
            {"serial", serialHex(cert)},
            {"notBefore", isoTime(asn1TimeToTimePoint(X509_get0_notBefore(cert)))},
            {"notAfter", isoTime(asn1TimeToTimePoint(X509_get0_notAfter(cert)))}};
}

}  // namespace

Portal::Portal(PortalOptions options)
    : options_(std::move(options)),
      ca_(CertificateAuthority::openOrCreate(options_.stateDir)),
      registry_(options_.stateDir),
      outbox_(options_.stateDir / "outbox") {}

X509Ptr Portal::issueEmployerCertificate(const CertificateAuthority& ca, X509_REQ* csr,
                                         Clock::time_point notBefore, Clock::time_point notAfter) {
    EVP_PKEY* key = X509_REQ_get0_pubkey(csr);
    if (!key || X509_REQ_verify(csr, key) != 1) throwOpenSsl("the CSR's signature does not verify");
    X509NamePtr subject = EmployerRecord::demo().subject();
    return ca.issue(subject.get(), key, notBefore, notAfter);
}

PortalResponse Portal::handle(const PortalRequest& request) noexcept {
    try {
        std::lock_guard lock(mutex_);
        return route(request);
    } catch (const PortalError& e) {
        return jsonResponse(e.toJson(), e.httpStatus());
    } catch (const std::exception& e) {
        ERR_clear_error();
        PortalError internal("INTERNAL", 500, "Error interno del portal.", e.what());
        return jsonResponse(internal.toJson(), 500);
    } catch (...) {
        return jsonResponse({{"error", {{"code", "INTERNAL"}, {"message", "Error interno."}}}},
                            500);
    }
}

std::string Portal::originOf(const PortalRequest& request) const {
    // Only loopback names: a rebinding DNS name pointing at 127.0.0.1 is refused.
    static const std::regex re(R"(^(127\.0\.0\.1|localhost|\[::1\])(:[0-9]{1,5})?$)");
    if (!std::regex_match(request.host, re))
        throw PortalError("HOST_NOT_ALLOWED", 421,
                          "El portal sólo atiende en 127.0.0.1 o localhost.",
                          "Host header must be a loopback name");
    return "http://" + request.host;
}

PortalResponse Portal::route(const PortalRequest& request) {
    const std::string origin = originOf(request);
    std::string path = request.target, query;
    if (auto q = path.find('?'); q != std::string::npos) {
        query = path.substr(q + 1);
        path.resize(q);
    }
    if (request.method == "POST" && !request.origin.empty() && request.origin != origin)
        throw PortalError("ORIGIN_MISMATCH", 403, "Solicitud de otro sitio rechazada.",
                          "The Origin header does not match this portal");
    if (path.rfind("/api/", 0) == 0) return api(request, path, query);
    if (request.method != "GET" && request.method != "HEAD")
        throw PortalError("METHOD_NOT_ALLOWED", 405, "Método no permitido.", "Method not allowed");
    if (path == "/buzon") return mailboxPage();
    return page(path);
}

PortalResponse Portal::api(const PortalRequest& request, const std::string& path,
                           const std::string& query) {
    const std::string origin = originOf(request);
    const bool get = request.method == "GET" || request.method == "HEAD";
    const bool post = request.method == "POST";
    const bool asJson = query.find("format=json") != std::string::npos;
    auto is = [&](bool method, const char* p) { return method && path == p; };

    if (is(get, "/api/health")) return jsonResponse({{"ok", true}, {"origin", origin}});
    if (is(get, "/api/ca")) {
        PortalResponse r;
        r.contentType = "application/x-pem-file";
        r.body = ca_.certificatePem();
        return r;
    }
    if (is(get, "/api/outbox")) {
        json list = json::array();
        for (const auto& m : outbox_.list()) list.push_back(m.toJson(false));
        return jsonResponse({{"messages", list}});
    }
    if (get && path.rfind("/api/outbox/", 0) == 0) {
        OutboxMessage m = outbox_.find(path.substr(12));
        if (m.id.empty())
            throw PortalError("NOT_FOUND", 404, "Mensaje no encontrado.", "No such message");
        return jsonResponse(m.toJson(true));
    }
    if (is(post, "/api/login/start")) {
        purgeSessions();
        auto s = std::make_unique<RenewalSession>();
        s->token = randomToken(32);
        s->lastSeen = options_.clock();
        json result = loginStart(*s, origin);
        PortalResponse r = jsonResponse(result);
        r.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=" + s->token +
                                                 "; Path=/; HttpOnly; SameSite=Strict");
        sessions_[s->token] = std::move(s);
        return r;
    }

    if (!get && !post)
        throw PortalError("METHOD_NOT_ALLOWED", 405, "Método no permitido.", "Method not allowed");
    RenewalSession& s = session(request);
    if (is(post, "/api/login/finish"))
        return jsonResponse(loginFinish(s, parseBody(request), origin));
    if (is(get, "/api/session")) {
        static const char* kModes[] = {"PENDING", "LOGGED_IN", "RENEWAL", "RENEWED"};
        json info = {{"mode", kModes[static_cast<int>(s.mode)]},
                     {"completedStep", s.completedStep},
                     {"user", s.user}};
        if (!s.newSpki.empty()) {
            info["spkiHex"] = spkiHex(s.newSpki);
            info["spkiFingerprint"] = spkiFingerprint(s.newSpki);
            info["oldSpkiHex"] = spkiHex(spkiDer(X509_get0_pubkey(s.oldCertificate.get())));
        }
        return jsonResponse(info);
    }
    if (is(get, "/api/renewal/data")) {
        if (s.mode != RenewalSession::Mode::Renewal) throw stepOrder(s.completedStep, 3);
        return jsonResponse({{"step", 3}, {"employer", s.employer.toJson()}});
    }
    if (is(post, "/api/renewal/data")) return jsonResponse(updateData(s, parseBody(request)));
    if (is(post, "/api/renewal/key")) return jsonResponse(submitKey(s, parseBody(request)));
    if (is(get, "/api/renewal/acceptance-letter")) return acceptanceLetter(s, asJson);
    if (is(post, "/api/renewal/acceptance-letter/signature"))
        return jsonResponse(acceptanceSignature(s, parseBody(request), origin));
    if (is(post, "/api/renewal/link")) return jsonResponse(openLink(s, parseBody(request), origin));
    if (is(post, "/api/renewal/certificate"))
        return jsonResponse(issueCertificate(s, parseBody(request), origin));
    if (is(get, "/api/renewal/certificate.cer")) {
        if (!s.newCertificate) throw stepOrder(s.completedStep, 9);
        return fileResponse(certificateDer(s.newCertificate.get()), "application/pkix-cert",
                            s.user + "_1.cer");
    }
    if (is(get, "/api/renewal/terms-letter")) return termsLetter(s, asJson);
    if (is(post, "/api/renewal/terms-letter/signature"))
        return jsonResponse(termsSignature(s, parseBody(request)));
    throw PortalError("NOT_FOUND", 404, "Recurso no encontrado.", "Unknown API endpoint",
                      {{"path", path}});
}

RenewalSession& Portal::session(const PortalRequest& request) {
    std::string token =
        request.session.empty() ? cookieValue(request.cookie, kSessionCookie) : request.session;
    auto it = sessions_.find(token);
    if (token.empty() || it == sessions_.end())
        throw PortalError("SESSION_REQUIRED", 401,
                          "Su sesión no existe o caducó. Inicie sesión de nuevo.",
                          "Unknown or expired session");
    it->second->lastSeen = options_.clock();
    return *it->second;
}

json Portal::parseBody(const PortalRequest& request) {
    if (request.body.size() > kMaxBody)
        throw PortalError("TOO_LARGE", 413, "La solicitud es demasiado grande.",
                          "Request body too large");
    if (!nestingWithin(request.body, kMaxJsonDepth))
        throw badRequest("JSON demasiado anidado.", "JSON nested too deeply");
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
        throw badRequest("El cuerpo de la solicitud no es un objeto JSON válido.",
                         "Body is not a JSON object");
    return body;
}

void Portal::purgeSessions() {
    const auto now = options_.clock();
    for (auto it = sessions_.begin(); it != sessions_.end();) {
        if (now - it->second->lastSeen > options_.sessionIdle)
            it = sessions_.erase(it);
        else
            ++it;
    }
    while (sessions_.size() >= options_.maxSessions) {
        auto oldest = sessions_.begin();
        for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
            if (it->second->lastSeen < oldest->second->lastSeen) oldest = it;
        sessions_.erase(oldest);
    }
}

// Step 1, first half.
json Portal::loginStart(RenewalSession& s, const std::string& origin) {
    s.loginNonce = randomBytes(32);
    return {{"session", s.token}, {"nonce", jsonFrom(s.loginNonce)}, {"origin", origin}};
}

// Steps 1 and 2.
json Portal::loginFinish(RenewalSession& s, const json& body, const std::string& origin) {
    if (s.mode != RenewalSession::Mode::Pending || s.loginNonce.empty())
        throw stepOrder(s.completedStep, 1,
                        "Este desafío de inicio de sesión ya se usó. Inicie sesión de nuevo.");
    // One attempt per nonce, successful or not.
    Bytes nonce = std::move(s.loginNonce);
    s.loginNonce.clear();

    const std::string user = requireString(body, "user", 64);
    const std::string algorithm = algorithmOf(body);
    Bytes certDer = requireBase64(body, "certificate");
    Bytes signature = requireBase64(body, "signature");
    X509Ptr cert;
    try {
        cert = parseCertificate(certDer);
    } catch (const std::exception&) {
        ERR_clear_error();
        throw invalidField("certificate", "El Certificado Digital no es válido.",
                           "certificate is not DER X.509");
    }
    requireEmployerCertificate(ca_, registry_, cert.get(), user);
    if (!verifyOriginBound(X509_get0_pubkey(cert.get()), algorithm, origin, nonce, signature))
        throw PortalError("SIGNATURE_INVALID", 403,
                          "La firma de inicio de sesión no es válida para este Certificado "
                          "Digital.",
                          "The origin-bound login signature does not verify");

    s.user = user;
    const auto now = options_.clock();
    const auto notBefore = asn1TimeToTimePoint(X509_get0_notBefore(cert.get()));
    const auto notAfter = asn1TimeToTimePoint(X509_get0_notAfter(cert.get()));
    json cert_ = certificateJson(cert.get());
    s.oldCertificate = std::move(cert);
    if (now < notBefore)
        throw PortalError("CERTIFICATE_NOT_YET_VALID", 403,
                          "Su Certificado Digital aún no es válido.",
                          "The certificate is not yet valid");
    if (now > notAfter) {
        s.mode = RenewalSession::Mode::Renewal;
        s.completedStep = 2;
        return {{"status", "RENEWAL_REQUIRED"},
                {"step", 2},
                {"certificate", cert_},
                {"renewalUrl", origin + "/renovacion"},
                {"message",
                 "Su Certificado Digital ha caducado. Para iniciar el proceso de Renovación dé "
                 "clic en la liga: " +
                     origin +
                     "/renovacion . Es muy importante que lea y entienda perfectamente los "
                     "mensajes que se le irán presentando durante el proceso; no use los "
                     "botones Adelante y Atrás del navegador."}};
    }
    s.mode = RenewalSession::Mode::LoggedIn;
    s.completedStep = 1;
    return {{"status", "LOGGED_IN"},
            {"step", 1},
            {"certificate", cert_},
            {"message", "Bienvenido al Portal de IMSS desde su Empresa (IDSE)."}};
}

// Step 3.
json Portal::updateData(RenewalSession& s, const json& body) {
    requireRenewalStep(s, 3);
    std::string email = requireString(body, "email", 254);
    std::string confirmation = requireString(body, "emailConfirmation", 254);
    std::string phone = requireString(body, "phone", 32);
    std::string fax = requireString(body, "fax", 32);
    if (!isEmail(email))
        throw invalidField("email", "El Correo Electrónico no es válido.", "invalid e-mail");
    if (email != confirmation)
        throw PortalError("EMAIL_CONFIRMATION_MISMATCH", 400,
                          "La Confirmación del Correo Electrónico no coincide.",
                          "emailConfirmation differs from email", {{"field", "emailConfirmation"}});
    if (!isPhone(phone))
        throw invalidField("phone", "El Teléfono debe tener de 7 a 15 dígitos.", "invalid phone");
    if (!isPhone(fax))
        throw invalidField("fax", "El Fax debe tener de 7 a 15 dígitos.", "invalid fax");
    s.employer.correo = email;
    s.employer.telefono = phone;
    s.employer.fax = fax;
    s.completedStep = 3;
    return {{"step", 3}, {"employer", s.employer.toJson()}};
}

// Step 4.
json Portal::submitKey(RenewalSession& s, const json& body) {
    requireRenewalStep(s, 4);
    Bytes spki = requireBase64(body, "spki");
    std::string csrPem = requireString(body, "csr", 64 * 1024);
    EvpPkeyPtr key;
    try {
        key = parseSpki(spki);
    } catch (const std::exception&) {
        ERR_clear_error();
        throw invalidField("spki", "La llave pública nueva no es válida.",
                           "spki is not a DER SubjectPublicKeyInfo");
    }
    const int bits = EVP_PKEY_get_bits(key.get());
    const int type = EVP_PKEY_get_base_id(key.get());
    if (!((type == EVP_PKEY_RSA && bits >= 2048 && bits <= 8192) ||
          (type == EVP_PKEY_EC && (bits == 256 || bits == 384))))
        throw PortalError("KEY_WEAK", 400,
                          "La llave nueva debe ser RSA de 2048 bits o más, o EC P-256/P-384.",
                          "key must be RSA >= 2048 or EC P-256/P-384");
    auto bio = readOnlyBio(csrPem.data(), csrPem.size());
    X509ReqPtr csr(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
    if (!csr) {
        ERR_clear_error();
        throw PortalError("CSR_INVALID", 400, "La solicitud de certificado (CSR) no es válida.",
                          "csr is not a PEM PKCS#10 request");
    }
    EVP_PKEY* csrKey = X509_REQ_get0_pubkey(csr.get());
    if (!csrKey || X509_REQ_verify(csr.get(), csrKey) != 1) {
        ERR_clear_error();
        throw PortalError("CSR_INVALID", 400,
                          "La firma de la solicitud de certificado (CSR) no es válida.",
                          "the CSR's self-signature does not verify");
    }
    if (spkiDer(csrKey) != spki)
        throw PortalError("KEY_MISMATCH", 400,
                          "La solicitud de certificado (CSR) no corresponde a la llave pública "
                          "nueva.",
                          "the CSR's public key differs from the submitted spki");
    if (spki == spkiDer(X509_get0_pubkey(s.oldCertificate.get())))
        throw PortalError("KEY_REUSED", 400,
                          "La llave nueva debe ser distinta de la llave del certificado anterior.",
                          "the new key is the old certificate's key");
    const bool subjectMatches = X509_NAME_cmp(X509_REQ_get_subject_name(csr.get()),
                                              X509_get_subject_name(s.oldCertificate.get())) == 0;
    s.newSpki = std::move(spki);
    s.csr = std::move(csr);
    s.completedStep = 4;
    return {{"step", 4},
            {"spkiHex", spkiHex(s.newSpki)},
            {"spkiFingerprint", spkiFingerprint(s.newSpki)},
            {"oldSpkiHex", spkiHex(spkiDer(X509_get0_pubkey(s.oldCertificate.get())))},
            {"csrSubjectMatches", subjectMatches},
            {"next", "/api/renewal/acceptance-letter"},
            {"notice",
             "A continuación tendrá que descargar la Carta de Términos y Condiciones para la "
             "Obtención y Uso del NPIE y Certificado Digital, es necesario que la firme con el "
             "Certificado Digital caducado y digitar su Contraseña anterior, para que el sistema "
             "verifique su autenticidad."}};
}

// Step 5 (re-downloading the same bytes is allowed until step 6 is done).
PortalResponse Portal::acceptanceLetter(RenewalSession& s, bool asJson) {
    if (!(s.mode == RenewalSession::Mode::Renewal && s.completedStep == 5)) {
        requireRenewalStep(s, 5);
        s.folio = hexEncode(randomBytes(16), " ");
        LetterContent content{
            s.employer, s.newSpki,        spkiDer(X509_get0_pubkey(s.oldCertificate.get())),
            s.folio,    options_.clock(), {}};
        s.acceptanceLetter = LetterRenderer::acceptanceLetter(content);
        s.completedStep = 5;
    }
    if (asJson)
        return jsonResponse({{"step", 5},
                             {"fileName", LetterRenderer::kAcceptanceFileName},
                             {"document", jsonFrom(s.acceptanceLetter)},
                             {"sha256", hexEncode(sha256(s.acceptanceLetter))},
                             {"folio", s.folio}});
    return fileResponse(s.acceptanceLetter, "application/pdf", LetterRenderer::kAcceptanceFileName);
}

// Steps 6 and 7.
json Portal::acceptanceSignature(RenewalSession& s, const json& body, const std::string& origin) {
    requireRenewalStep(s, 6);
    Bytes cms = requireBase64(body, "cms");
    LetterVerification v = LetterVerifier::verify(cms, s.acceptanceLetter, s.oldCertificate.get(),
                                                  ca_, LetterVerifier::Stage::Acceptance);
    s.completedStep = 6;

    const auto now = options_.clock();
    s.linkToken = randomToken(32);
    s.linkExpires = now + options_.linkTtl;
    s.linkUsed = false;
    const std::string link = origin + "/liga/" + s.linkToken;
    const long minutes = std::max<long>(1, options_.linkTtl.count() / 60);
    std::string bodyText =
        "Estimado(a) " + s.employer.representanteLegal() +
        ":\n\nEl Instituto Mexicano del Seguro Social recibió su Carta de Aceptación de "
        "Renovación de Certificado Digital (No. De Folio: " +
        s.folio +
        ").\n\nPara generar y descargar su nuevo Certificado Digital dé clic en la siguiente "
        "liga. La liga puede usarse una sola vez y vence en " +
        std::to_string(minutes) + " minuto(s):\n\n" + link +
        "\n\nPara obtener su Certificado Digital deberá usar su NUEVA llave privada. Después "
        "descargue y firme la Carta de Términos y Condiciones con el Certificado que genere.\n\n"
        "Usuario: " +
        s.employer.usuario + "\nNPIE: " + s.employer.npie +
        "\n\nAutoridad Certificadora del IMSS\n\n(Mensaje generado por firmante-portal, portal "
        "de prueba; no es un correo del IMSS.)\n";
    OutboxMessage m = outbox_.send(
        s.employer.correo, "IMSS - Liga para generar su Certificado Digital", bodyText, link, now);
    s.completedStep = 7;
    return {{"step", 7},
            {"status", "LETTER_ACCEPTED"},
            {"verification", v.toJson()},
            {"messageId", m.id},
            {"sentTo", s.employer.correo},
            {"notice",
             "El Instituto Mexicano del Seguro Social enviará en este momento al correo "
             "electrónico proporcionado por el Representante Legal, la liga para generar el "
             "Certificado Digital. Al acceder a la liga podrá renovar su Certificado Digital. "
             "(NO ES NECESARIO QUE ACUDA A LA SUBDELEGACIÓN DEL IMSS)"}};
}

// Step 8.
json Portal::openLink(RenewalSession& s, const json& body, const std::string& origin) {
    std::string token = requireString(body, "token", 128);
    if (s.linkToken.empty() || token.size() != s.linkToken.size() ||
        CRYPTO_memcmp(token.data(), s.linkToken.data(), token.size()) != 0)
        throw PortalError("LINK_INVALID", 404,
                          "La liga no es válida para este trámite de renovación.",
                          "Unknown link for this session");
    if (s.linkUsed)
        throw PortalError("LINK_USED", 410,
                          "Esta liga ya fue utilizada; sólo puede usarse una vez.",
                          "The link was already used");
    if (options_.clock() >= s.linkExpires)
        throw PortalError("LINK_EXPIRED", 410,
                          "La liga venció. Debe repetir el proceso de renovación.",
                          "The link expired");
    requireRenewalStep(s, 8);
    s.linkUsed = true;
    s.possessionNonce = randomBytes(32);
    s.completedStep = 8;
    return {{"step", 8},
            {"nonce", jsonFrom(s.possessionNonce)},
            {"origin", origin},
            {"spkiHex", spkiHex(s.newSpki)},
            {"message",
             "Para obtener su Certificado Digital firme el desafío con su NUEVA llave privada."}};
}

// Step 9.
json Portal::issueCertificate(RenewalSession& s, const json& body, const std::string& origin) {
    requireRenewalStep(s, 9);
    const std::string algorithm = algorithmOf(body);
    Bytes signature = requireBase64(body, "signature");
    EvpPkeyPtr letterKey = parseSpki(s.newSpki);
    EVP_PKEY* csrKey = X509_REQ_get0_pubkey(s.csr.get());
    // Both must hold: the key stated in letter 1 (signed by the old certificate) and the CSR's key.
    const bool proven =
        EVP_PKEY_eq(letterKey.get(), csrKey) == 1 &&
        verifyOriginBound(letterKey.get(), algorithm, origin, s.possessionNonce, signature) &&
        verifyOriginBound(csrKey, algorithm, origin, s.possessionNonce, signature);
    ERR_clear_error();
    if (!proven)
        throw PortalError("POSSESSION_NOT_PROVEN", 403,
                          "La firma no corresponde a la llave privada nueva de su solicitud.",
                          "The proof of possession was not made by the new key");
    const auto now = options_.clock();
    s.newCertificate = ca_.issue(X509_get_subject_name(s.oldCertificate.get()), csrKey,
                                 now - std::chrono::minutes(5),
                                 now + std::chrono::hours(24) * options_.certValidityDays);
    s.possessionNonce.clear();
    s.completedStep = 9;
    json result = certificateJson(s.newCertificate.get());
    result["step"] = 9;
    result["certificate"] = certificatePem(s.newCertificate.get());
    result["certificateDer"] = jsonFrom(certificateDer(s.newCertificate.get()));
    result["caCertificate"] = ca_.certificatePem();
    result["fileName"] = s.user + "_1.cer";
    result["download"] = "/api/renewal/certificate.cer";
    result["notice"] =
        "Es necesario que descargue y firme electrónicamente la carta de Términos y Condiciones "
        "para la Obtención y Uso del NPIE y Certificado Digital con el Certificado y Contraseña "
        "que acaba usted de obtener.";
    return result;
}

// Step 10.
PortalResponse Portal::termsLetter(RenewalSession& s, bool asJson) {
    if (!(s.mode == RenewalSession::Mode::Renewal && s.completedStep == 10)) {
        requireRenewalStep(s, 10);
        LetterContent content{
            s.employer, s.newSpki,        spkiDer(X509_get0_pubkey(s.oldCertificate.get())),
            s.folio,    options_.clock(), hexUpper(sha1(s.acceptanceLetter))};
        s.termsLetter = LetterRenderer::termsLetter(content);
        s.completedStep = 10;
    }
    if (asJson)
        return jsonResponse({{"step", 10},
                             {"fileName", LetterRenderer::kTermsFileName},
                             {"document", jsonFrom(s.termsLetter)},
                             {"sha256", hexEncode(sha256(s.termsLetter))},
                             {"previousLetterSha1", hexUpper(sha1(s.acceptanceLetter))}});
    return fileResponse(s.termsLetter, "application/pdf", LetterRenderer::kTermsFileName);
}

// Step 11 (step 12 is the next login).
json Portal::termsSignature(RenewalSession& s, const json& body) {
    requireRenewalStep(s, 11);
    Bytes cms = requireBase64(body, "cms");
    LetterVerification v = LetterVerifier::verify(cms, s.termsLetter, s.newCertificate.get(), ca_,
                                                  LetterVerifier::Stage::Terms);
    registry_.revoke(serialHex(s.oldCertificate.get()), serialHex(s.newCertificate.get()));
    s.completedStep = 11;
    s.mode = RenewalSession::Mode::Renewed;
    return {{"step", 11},
            {"status", "RENEWED"},
            {"verification", v.toJson()},
            {"revokedSerial", serialHex(s.oldCertificate.get())},
            {"message",
             "El proceso de renovación finalizó. A partir de este momento podrá ingresar a IDSE "
             "con su nuevo Certificado Digital; el anterior ya no es válido."}};
}

}  // namespace firmante::portal
