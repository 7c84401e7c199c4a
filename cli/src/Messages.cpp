#include "Messages.h"

#include <cstdlib>
#include <string>
#include <unordered_map>

#include "DoctorMessages.h"
#include "firmante/prompt/SafeText.h"
#include "firmante/protocol/Reasons.h"

namespace firmante::cli {
namespace {

// Every user-facing string, Spanish (es-MX) first. {0}, {1}… are arguments; in help.* texts {0}
// is the list of key types (main.cpp's helpText, from pkcs11/KeyTraits.h).
const std::unordered_map<std::string_view, Text>& table() {
    static const std::unordered_map<std::string_view, Text> t{
        {"yes", {"sí", "yes"}},
        {"no", {"no", "no"}},
        {"present", {"presente", "present"}},
        {"absent", {"ausente", "absent"}},

        // Usage
        {"usage.missingVerb",
         {"falta la acción; escriba «firmante --help» para ver las acciones",
          "missing verb; run «firmante --help» to see the verbs"}},
        {"usage.unknownVerb",
         {"acción desconocida «{0}»; escriba «firmante --help»",
          "unknown verb «{0}»; run «firmante --help»"}},
        {"usage.unexpected",
         {"argumento inesperado «{0}» (las opciones empiezan con --)",
          "unexpected argument «{0}» (options start with --)"}},
        {"usage.unknownFlag",
         {"la opción {0} no existe para «firmante {1}»; vea «firmante {1} --help»",
          "option {0} does not exist for «firmante {1}»; see «firmante {1} --help»"}},
        {"usage.noPinArgument",
         {"el PIN o la contraseña nunca se dan como argumento (quedarían en el historial y en "
          "/proc); use --pin-fd / --password-fd, FIRMANTE_PINENTRY o la terminal",
          "a PIN or password is never an argument (it would stay in the history and in /proc); "
          "use --pin-fd / --password-fd, FIRMANTE_PINENTRY or the terminal"}},
        {"usage.noValue", {"la opción {0} no lleva valor", "option {0} takes no value"}},
        {"usage.missingValue", {"falta el valor de {0}", "missing value for {0}"}},
        {"usage.repeated", {"la opción {0} aparece dos veces", "option {0} is given twice"}},
        {"usage.required", {"falta la opción obligatoria {0}", "missing required option {0}"}},
        {"usage.badDescriptor",
         {"{0} espera un número de descriptor de archivo, no «{1}»",
          "{0} expects a file descriptor number, not «{1}»"}},

        // Files and configuration
        {"file.cannotRead", {"no se puede leer «{0}»: {1}", "cannot read «{0}»: {1}"}},
        {"file.cannotWrite", {"no se puede escribir «{0}»", "cannot write «{0}»"}},
        {"file.tooLarge",
         {"«{0}» es demasiado grande (máximo {1} bytes)",
          "«{0}» is too large (at most {1} bytes)"}},
        {"config.unreadable",
         {"el archivo de configuración «{0}» no se puede leer o no es un objeto JSON",
          "the config file «{0}» cannot be read or is not a JSON object"}},

        // PIN and password
        {"prompt.title", {"Firmante", "Firmante"}},
        {"prompt.pin",
         {"Escriba el PIN del token «{0}» para {1}.", "Enter the PIN of token «{0}» to {1}."}},
        {"prompt.pinLabel", {"PIN:", "PIN:"}},
        {"prompt.password",
         {"Escriba la contraseña del archivo «{0}».", "Enter the password of file «{0}»."}},
        {"prompt.passwordLabel", {"Contraseña:", "Password:"}},
        {"pin.pinpad",
         {"Escriba su PIN en el lector (token «{0}», para {1}).",
          "Enter your PIN on the reader (token «{0}», to {1})."}},
        {"pin.incorrect",
         {"PIN incorrecto para el token «{0}». {1} No se volvió a intentar.",
          "incorrect PIN for token «{0}». {1} It was not retried."}},
        {"pin.hintFinalTry",
         {"Queda un solo intento: otro PIN incorrecto bloqueará el token.",
          "One try left: another wrong PIN will lock the token."}},
        {"pin.hintCountLow",
         {"Quedan pocos intentos antes de que el token se bloquee.",
          "Few tries are left before the token locks."}},
        {"pin.hintUnknown",
         {"El token no indica que queden pocos intentos.",
          "The token does not report that few tries are left."}},
        {"pin.again",
         {"Esta llave exige el PIN otra vez para cada firma; se pide de nuevo para esta.",
          "This key requires the PIN again for each signature; it is asked again for this one."}},
        {"pin.locked",
         {"el PIN del token «{0}» está bloqueado; desbloquéelo con el PIN de administrador (SO)",
          "the PIN of token «{0}» is locked; unlock it with the security officer (SO) PIN"}},
        {"pin.cancelled", {"se canceló la captura del PIN", "PIN entry was cancelled"}},
        {"pin.empty", {"el PIN o la contraseña están vacíos", "the PIN or password is empty"}},
        {"pin.noTerminal", {"la entrada no es una terminal", "stdin is not a terminal"}},
        {"pin.fdUnreadable",
         {"no se pudo leer un PIN o contraseña del descriptor {0} (¿cerrado o vacío?)",
          "could not read a PIN or password from descriptor {0} (closed or empty?)"}},
        {"pin.noSource",
         {"no hay de dónde leer el PIN: use --pin-fd N, defina FIRMANTE_PINENTRY o ejecute "
          "en una terminal",
          "nowhere to read the PIN from: use --pin-fd N, set FIRMANTE_PINENTRY or run in a "
          "terminal"}},
        {"pinentry.failed",
         {"el programa pinentry «{0}» falló: {1}", "the pinentry program «{0}» failed: {1}"}},
        {"prompt.ok", {"Aceptar", "OK"}},
        {"prompt.cancel", {"Cancelar", "Cancel"}},

        // Operations, completing "… para <operation>"
        {"op.listCertificates", {"listar los certificados", "list the certificates"}},
        {"op.listKeys", {"listar las llaves privadas", "list the private keys"}},
        {"op.keygen",
         {"generar una llave {0} con la etiqueta «{1}»", "generate a {0} key labelled «{1}»"}},
        {"op.csr",
         {"firmar una solicitud de certificado (CSR) para «{0}»",
          "sign a certificate request (CSR) for «{0}»"}},
        {"op.sign",
         {"firmar el archivo «{0}» (SHA-256 {1}) con el certificado «{2}»",
          "sign the file «{0}» (SHA-256 {1}) with the certificate «{2}»"}},
        {"op.signBatch",
         {"firmar {0} archivos con el certificado «{1}»:{2}",
          "sign {0} files with the certificate «{1}»:{2}"}},
        {"op.importCert",
         {"guardar el certificado «{0}» en el token", "store the certificate «{0}» on the token"}},
        {"op.importPfx",
         {"importar la llave y el certificado del archivo «{0}»",
          "import the key and certificate of file «{0}»"}},

        // Results
        {"tokens.module", {"Módulo PKCS#11: {0} (de {1})", "PKCS#11 module: {0} (from {1})"}},
        {"tokens.none", {"No hay tokens conectados.", "No token is present."}},
        {"certs.header", {"Certificados en el token «{0}»:", "Certificates on token «{0}»:"}},
        {"certs.item", {"Certificado {0}", "Certificate {0}"}},
        {"certs.none",
         {"No hay certificados en el token «{0}».", "There are no certificates on token «{0}»."}},
        {"cert.noKey",
         {"(sin llave privada en el token; use --login si el token oculta las llaves)",
          "(no private key on the token; use --login if the token hides keys)"}},
        {"keys.header", {"Llaves privadas en el token «{0}»:", "Private keys on token «{0}»:"}},
        {"keys.none",
         {"No hay llaves privadas en el token «{0}».",
          "There are no private keys on token «{0}»."}},
        {"keygen.done", {"Llave generada en el token «{0}»:", "Key generated on token «{0}»:"}},
        {"csr.done",
         {"Solicitud de certificado escrita en «{0}»:", "Certificate request written to «{0}»:"}},
        {"sign.done", {"Firma escrita en «{0}»:", "Signature written to «{0}»:"}},
        {"signBatch.done", {"{0} firmas escritas:", "{0} signatures written:"}},
        {"signBatch.noOut",
         {"con varios --in use --out-dir CARPETA (o nada: cada firma queda junto a su archivo, "
          "como ARCHIVO.p7s)",
          "with several --in use --out-dir FOLDER (or nothing: each signature is written next "
          "to its file, as FILE.p7s)"}},
        {"signBatch.outDirOne",
         {"--out-dir es para varios --in; con uno solo use --out",
          "--out-dir is for several --in; with one use --out"}},
        {"signBatch.tooMany",
         {"se firman a lo más {0} archivos a la vez", "at most {0} files are signed at once"}},
        {"signBatch.sameOut",
         {"dos archivos escribirían la misma firma «{0}»; use nombres distintos",
          "two files would write the same signature «{0}»; use different names"}},
        {"sign.expiredWarning",
         {"firmante: aviso: el certificado «{0}» está vencido",
          "firmante: warning: the certificate «{0}» has expired"}},
        {"sign.noKey",
         {"el certificado {0} no tiene su llave privada en el token",
          "certificate {0} has no private key on the token"}},
        {"sign.expired",
         {"el certificado «{0}» está vencido; los documentos se firman solo con un certificado "
          "vigente (use --allow-expired si de verdad lo necesita)",
          "the certificate «{0}» has expired; documents are signed only with a valid "
          "certificate (use --allow-expired if you really need to)"}},
        {"agent.version",
         {"el agente habla otra versión del protocolo ({0}); use --direct o actualice",
          "the agent speaks another protocol version ({0}); use --direct or upgrade"}},
        {"agent.closed",
         {"el agente cerró la conexión ({0})", "the agent closed the connection ({0})"}},
        {"agent.garbage",
         {"el agente respondió algo que no es JSON-RPC ({0})",
          "the agent answered something that is not JSON-RPC ({0})"}},
        {"agent.foreign",
         {"el socket del agente ({0}) lo abrió otro usuario; no se le envía nada",
          "the agent socket ({0}) was opened by another user; nothing is sent to it"}},
        {"agent.io",
         {"error de comunicación con el agente ({0}): {1}",
          "error talking to the agent ({0}): {1}"}},
        {"agent.documentTooLarge",
         {"«{0}» es demasiado grande para enviarlo al agente; use --direct",
          "«{0}» is too large to send to the agent; use --direct"}},
        {"agent.confirmThere",
         {"firmante: el agente pedirá el PIN y la confirmación en su propia ventana",
          "firmante: the agent will ask for the PIN and confirmation in its own window"}},
        {"tokens.viaAgent",
         {"Vía el agente firmante-agent {0} ({1})", "Through firmante-agent {0} ({1})"}},
        {"certs.headerAll", {"Certificados:", "Certificates:"}},
        {"certs.noneAll", {"No hay certificados.", "There are no certificates."}},
        {"verify.valid", {"La firma es válida:", "The signature is valid:"}},
        {"verify.chainOk", {"verificada con «{0}»", "verified against «{0}»"}},
        {"verify.chainNotChecked",
         {"no verificada (use --ca CA.pem)", "not verified (use --ca CA.pem)"}},
        {"verify.noTime", {"(sin hora de firma)", "(no signing time)"}},
        {"importCert.done",
         {"Certificado guardado en el token «{0}»:", "Certificate stored on token «{0}»:"}},
        {"importPfx.done",
         {"Importado al token «{0}» (la llave no se generó en el token: local = no).",
          "Imported to token «{0}» (the key was not generated on the token: local = no)."}},
        {"importPfx.key", {"Llave:", "Key:"}},
        {"importPfx.certificate", {"Certificado:", "Certificate:"}},

        {"pinState.ok", {"listo", "ready"}},
        {"pinState.countLow", {"pocos intentos", "few tries left"}},
        {"pinState.finalTry", {"último intento", "final try"}},
        {"pinState.locked", {"bloqueado", "locked"}},
        {"pinState.pinpad", {"(PIN en el lector)", "(PIN on the reader)"}},

        {"field.uri", {"URI", "URI"}},
        {"field.label", {"Etiqueta", "Label"}},
        {"field.manufacturer", {"Fabricante", "Manufacturer"}},
        {"field.model", {"Modelo", "Model"}},
        {"field.serialToken", {"Serie", "Serial"}},
        {"field.pin", {"PIN", "PIN"}},
        {"field.algorithm", {"Algoritmo", "Algorithm"}},
        {"field.spkiSha256", {"SHA-256 de la llave pública", "Public key SHA-256"}},
        {"field.spkiHex", {"Llave pública (spkiHex)", "Public key (spkiHex)"}},
        {"field.local", {"Generada en el token (local)", "Generated on the token (local)"}},
        {"field.alwaysSensitive", {"Siempre sensible", "Always sensitive"}},
        {"field.neverExtractable", {"Nunca extraíble", "Never extractable"}},
        {"field.provenance", {"Procedencia", "Provenance"}},
        {"provenance.confirmed",
         {"el token confirma que la llave se generó en él y nunca salió de él",
          "the token confirms the key was generated on it and never left it"}},
        {"provenance.unknown",
         {"el token NO confirma que la llave se generó en él ni que nunca salió de él",
          "the token does NOT confirm that the key was generated on it and never left it"}},
        {"field.extractable", {"Extraíble", "Extractable"}},
        {"field.subject", {"Sujeto", "Subject"}},
        {"field.issuer", {"Emisor", "Issuer"}},
        {"field.serial", {"Número de serie", "Serial number"}},
        {"field.notBefore", {"Válido desde", "Valid from"}},
        {"field.notAfter", {"Válido hasta", "Valid until"}},
        {"field.expired", {"Vencido", "Expired"}},
        {"field.key", {"Llave", "Key"}},
        {"field.file", {"Archivo", "File"}},
        {"field.documentSha256", {"SHA-256 del archivo", "File SHA-256"}},
        {"field.signer", {"Firmante", "Signer"}},
        {"field.certificate", {"Certificado", "Certificate"}},
        {"field.signingTime", {"Hora de firma", "Signing time"}},
        {"field.signingCertificateV2", {"signing-certificate-v2", "signing-certificate-v2"}},
        {"field.chain", {"Cadena de certificación", "Certificate chain"}},

        // Help
        {"help.overview",
         {"Uso: firmante <acción> [opciones]\n"
          "\n"
          "Acciones:\n"
          "  tokens        lista los tokens conectados\n"
          "  certs         lista los certificados del token\n"
          "  keys          lista las llaves privadas del token\n"
          "  keygen        genera una llave en el token\n"
          "  csr           crea una solicitud de certificado firmada por una llave del token\n"
          "  sign          firma un archivo (CMS separado, CAdES-BES)\n"
          "  verify        verifica una firma (no requiere token)\n"
          "  import-cert   guarda un certificado junto a su llave en el token\n"
          "  import-pfx    importa llave y certificado de un archivo .pfx/.p12\n"
          "  renew         renueva el certificado contra un portal (los 12 pasos del manual)\n"
          "  doctor        revisa qué falta para poder firmar y cómo corregirlo\n"
          "\n"
          "Escriba «firmante <acción> --help» para ver las opciones de cada acción.\n",
          "Usage: firmante <verb> [options]\n"
          "\n"
          "Verbs:\n"
          "  tokens        list the tokens present\n"
          "  certs         list the token's certificates\n"
          "  keys          list the token's private keys\n"
          "  keygen        generate a key on the token\n"
          "  csr           make a certificate request signed by a token key\n"
          "  sign          sign a file (detached CMS, CAdES-BES)\n"
          "  verify        verify a signature (no token needed)\n"
          "  import-cert   store a certificate next to its key on the token\n"
          "  import-pfx    import key and certificate from a .pfx/.p12 file\n"
          "  renew         renews the certificate against a portal (the manual's 12 steps)\n"
          "  doctor        checks what signing still needs and how to fix it\n"
          "\n"
          "Run «firmante <verb> --help» for each verb's options.\n"}},
        {"help.common",
         {"Opciones comunes:\n"
          "  --token ETIQUETA|URI   el token a usar (si hay más de uno)\n"
          "  --module RUTA          módulo PKCS#11 (si no: FIRMANTE_MODULE, la configuración, "
          "p11-kit)\n"
          "  --pin-fd N             lee el PIN del descriptor N (automatización); si no: "
          "FIRMANTE_PINENTRY o la terminal\n"
          "  --json                 salida para programas: un documento JSON\n"
          "  --direct               usar el token directamente aunque el agente esté en "
          "ejecución\n                         (tokens, certs y sign usan el agente si hay uno)\n"
          "  --help                 esta ayuda\n"
          "El PIN nunca se da como argumento.\n",
          "Common options:\n"
          "  --token LABEL|URI      the token to use (when there are several)\n"
          "  --module PATH          PKCS#11 module (else FIRMANTE_MODULE, the config, p11-kit)\n"
          "  --pin-fd N             read the PIN from descriptor N (automation); else "
          "FIRMANTE_PINENTRY or the terminal\n"
          "  --json                 machine output: one JSON document\n"
          "  --direct               use the token directly even when the agent runs\n"
          "                         (tokens, certs and sign go through the agent if one runs)\n"
          "  --help                 this help\n"
          "The PIN is never an argument.\n"}},
        {"help.tokens",
         {"Uso: firmante tokens\nLista los tokens conectados y el estado de su PIN.\n",
          "Usage: firmante tokens\nLists the tokens present and the state of their PIN.\n"}},
        {"help.certs",
         {"Uso: firmante certs [--login]\nLista los certificados del token con sujeto, emisor, "
          "serie, vigencia y la URI de su llave.\n  --login   inicia sesión primero (tokens que "
          "ocultan las llaves)\n",
          "Usage: firmante certs [--login]\nLists the token's certificates with subject, issuer, "
          "serial, validity and their key's URI.\n  --login   log in first (tokens that hide "
          "keys)\n"}},
        {"help.keys",
         {"Uso: firmante keys\nLista las llaves privadas del token (pide el PIN).\n",
          "Usage: firmante keys\nLists the token's private keys (asks for the PIN).\n"}},
        {"help.keygen",
         {"Uso: firmante keygen --type {0} --label ETIQUETA\nGenera un par de llaves en el token "
          "(sensible, no extraíble) y muestra su URI, el SHA-256 de la llave pública y los "
          "atributos leídos del token.\n",
          "Usage: firmante keygen --type {0} --label LABEL\nGenerates a key pair on the token "
          "(sensitive, not extractable) and prints its URI, the public key's SHA-256 and the "
          "attributes read back from the token.\n"}},
        {"help.csr",
         {"Uso: firmante csr --key URI --subject DN --out ARCHIVO\nCrea una solicitud PKCS#10 "
          "(PEM) firmada en el token. DN: \"/CN=a/O=b\" o \"CN=a, O=b\".\n",
          "Usage: firmante csr --key URI --subject DN --out FILE\nMakes a PKCS#10 request (PEM) "
          "signed on the token. DN: \"/CN=a/O=b\" or \"CN=a, O=b\".\n"}},
        {"help.sign",
         {"Uso: firmante sign --cert URI --in ARCHIVO --out ARCHIVO.p7s [--allow-expired]\nFirma "
          "el archivo con la llave del certificado: CMS separado en DER, SHA-256, con "
          "signing-certificate-v2. Un certificado vencido se rechaza salvo con --allow-expired "
          "(que usa el token directamente).\n"
          "       firmante sign --cert URI --in A --in B … [--out-dir CARPETA]\nFirma varios "
          "archivos (hasta 100) con un solo PIN; cada firma es ARCHIVO.p7s, junto al archivo o "
          "en --out-dir.\n",
          "Usage: firmante sign --cert URI --in FILE --out FILE.p7s [--allow-expired]\nSigns the "
          "file with the certificate's key: detached DER CMS, SHA-256, with "
          "signing-certificate-v2. An expired certificate is refused unless --allow-expired "
          "(which uses the token directly).\n"
          "       firmante sign --cert URI --in A --in B … [--out-dir FOLDER]\nSigns several "
          "files (up to 100) with one PIN; each signature is FILE.p7s, next to its file or in "
          "--out-dir.\n"}},
        {"help.verify",
         {"Uso: firmante verify --in ARCHIVO --sig ARCHIVO.p7s [--ca CA.pem] "
          "[--ignore-expiry]\nVerifica una firma CMS separada; con --ca también la cadena. No "
          "requiere token.\n",
          "Usage: firmante verify --in FILE --sig FILE.p7s [--ca CA.pem] [--ignore-expiry]\n"
          "Verifies a detached CMS signature; with --ca also the chain. No token needed.\n"}},
        {"help.import-cert",
         {"Uso: firmante import-cert --in CERT.pem|.cer [--label ETIQUETA]\nGuarda el "
          "certificado junto a la llave del token que le corresponde (mismo CKA_ID).\n",
          "Usage: firmante import-cert --in CERT.pem|.cer [--label LABEL]\nStores the "
          "certificate next to the token key it belongs to (same CKA_ID).\n"}},
        {"help.import-pfx",
         {"Uso: firmante import-pfx --in ARCHIVO.pfx [--label ETIQUETA] [--password-fd N]\n"
          "Importa la llave y el certificado de un archivo PKCS#12. La contraseña se pide como "
          "el PIN (pinentry, terminal o --password-fd).\n",
          "Usage: firmante import-pfx --in FILE.pfx [--label LABEL] [--password-fd N]\nImports "
          "the key and certificate of a PKCS#12 file. The password is asked like the PIN "
          "(pinentry, terminal or --password-fd).\n"}},
        {"help.renew",
         {"Uso: firmante renew --portal URL [--user USUARIO] [--certificate URI] [--key-type "
          "{0}] [--email CORREO] "
          "[--retire-old|--keep-old]\nLos 12 pasos del manual de renovación, sin navegador, "
          "contra el portal (http://127.0.0.1:PUERTO): a través del agente si está en ejecución "
          "(él pide el PIN y las confirmaciones), si no directamente con el token. Por omisión "
          "conserva el certificado anterior en el token; --retire-old lo elimina.\n",
          "Usage: firmante renew --portal URL [--user USER] [--certificate URI] [--key-type "
          "{0}] [--email EMAIL] "
          "[--retire-old|--keep-old]\nThe renewal manual's 12 steps, headless, against the "
          "portal (http://127.0.0.1:PORT): through the agent when it runs (it asks for the PIN "
          "and the confirmations), else directly with the token. By default the previous "
          "certificate is kept on the token; --retire-old removes it.\n"}},
    };
    return t;
}

Language gLanguage = Language::Spanish;

}  // namespace

void setLanguage(Language language) noexcept {
    gLanguage = language;
}
Language currentLanguage() noexcept {
    return gLanguage;
}

std::string tr(std::string_view key, std::initializer_list<std::string> args) {
    Text found{};
    if (auto it = table().find(key); it != table().end())
        found = it->second;
    else if (const auto* doctor = doctorText(key))
        found = {doctor->first, doctor->second};
    else
        return std::string(key);
    return render(found, args);
}

std::string render(const Text& found, std::initializer_list<std::string> args) {
    std::string text = gLanguage == Language::English ? found.en : found.es;
    std::size_t index = 0;
    for (const auto& arg : args) {
        std::string marker = "{" + std::to_string(index++) + "}";
        for (auto pos = text.find(marker); pos != std::string::npos;
             pos = text.find(marker, pos + arg.size()))
            text.replace(pos, marker.size(), arg);
    }
    return text;
}

std::string_view reasonSentence(std::string_view word) noexcept {
    const auto* row = protocol::findReason(word);
    if (!row) return {};
    return gLanguage == Language::English ? row->en : row->es;
}

std::string shownSubject(const std::string& subject) {
    return prompt::safeText(subject, prompt::kShownSubject);
}

std::string shownFileName(const std::string& fileName) {
    return prompt::safeText(fileName, prompt::kShownFileName, prompt::Shorten::Middle);
}

}  // namespace firmante::cli
