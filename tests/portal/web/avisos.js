// What a person sees when an action works slowly or fails (issue 14, docs/portal-integration.md
// "Showing errors"): the message next to the control that was pressed, scrolled into view; the
// control busy while the agent's own window waits for the person; plain Spanish, with the reason
// word only in a details line.

// The agent's and the page API's reason words (DESIGN §2) in plain Spanish, "usted".
const AGENT_MESSAGES = {
  ORIGIN_NOT_ALLOWED: 'Este sitio no está autorizado para usar sus certificados.',
  AGENT_UNAVAILABLE: 'No se encontró el agente Firmante en este equipo. Si ya lo instaló, ' +
    'inícielo desde el menú de aplicaciones e intente de nuevo; si no, instálelo primero.',
  NATIVE_UNAVAILABLE: 'El agente Firmante no está instalado en este equipo (la extensión Firmante ' +
    'no lo encontró). Instálelo e intente de nuevo.',
  AGENT_NOT_RUNNING: 'El agente Firmante no está en ejecución: se cerró o no pudo iniciarse. ' +
    'Inícielo desde el menú de aplicaciones e intente de nuevo.',
  LOCAL_NETWORK_DENIED: 'Su navegador no permite que este sitio se comunique con el agente Firmante de ' +
    'su equipo. Instale la extensión Firmante (recomendado), o permita a este sitio el acceso a la red ' +
    'local en la configuración del sitio (el candado junto a la dirección) e intente de nuevo.',
  VERSION_MISMATCH: 'La versión del agente Firmante no es compatible con esta página. Actualice Firmante.',
  USER_CANCELLED: 'La operación se canceló en la ventana de Firmante. Puede intentarlo de nuevo.',
  PIN_INCORRECT: 'El PIN no es correcto. Intente de nuevo.',
  PIN_LOCKED: 'El PIN de su token está bloqueado. Para desbloquearlo acuda con quien le entregó el token.',
  TOKEN_NOT_PRESENT: 'No se encontró su token. Conéctelo e intente de nuevo.',
  TOKEN_REMOVED: 'Se retiró el token durante la operación. Conéctelo e intente de nuevo.',
  KEY_NOT_FOUND: 'No se encontró en el token la llave de este certificado. Verifique que conectó el token correcto.',
  CERTIFICATE_NOT_FOUND: 'No se encontró el certificado en el token. Verifique que conectó el token correcto.',
  LETTER_MISMATCH: 'La carta no corresponde a la llave generada en su token; no se firmó nada.',
  BUSY: 'El agente Firmante está atendiendo otra operación. Termínela e intente de nuevo.',
  TIMEOUT: 'El agente Firmante no respondió a tiempo. Intente de nuevo.',
};
// TIMEOUT of the page API's wait for the person's answer about this site (data.consentWaitMs).
const CONSENT_TIMEOUT = 'Nadie respondió en la ventana de Firmante si este sitio puede usar sus ' +
  'certificados. Intente de nuevo y responda en esa ventana.';

/** The sentence a person reads for `err` (a FirmanteError, a portal error or an Error). */
export function plainMessage(err) {
  const reason = err && err.reason;
  const consentTimeout = reason === 'TIMEOUT' && err.data && typeof err.data.consentWaitMs === 'number';
  let text = (consentTimeout && CONSENT_TIMEOUT) || (reason && AGENT_MESSAGES[reason]) ||
    (err && err.data && typeof err.data.messageEs === 'string' && err.data.messageEs) ||
    (err && err.message) || String(err);
  if (reason === 'AGENT_UNAVAILABLE' && err.data && err.data.localNetworkAccess === 'prompt') {
    // Chromium may have asked (and the person closed the question) before this site could reach
    // the agent: say what the question looks like.
    text += ' Si su navegador le preguntó si este sitio puede conectarse con dispositivos de su ' +
      'red local, responda «Permitir»; o instale la extensión Firmante.';
  }
  if (reason === 'PIN_INCORRECT') {
    const data = err.data || {};
    if (Number.isInteger(err.triesLeft)) {
      text += err.triesLeft === 1 ? ' Le queda 1 intento.' : ' Le quedan ' + err.triesLeft + ' intentos.';
    } else if (data.pinFinalTry) {
      text += ' Le queda un solo intento: si se equivoca, su token se bloqueará.';
    } else if (data.pinCountLow) {
      text += ' Le quedan pocos intentos.';
    }
  }
  return text;
}

/** The reason word (agent) or code (portal) for the details line, or ''. */
function detailOf(err) {
  if (err && typeof err.reason === 'string') return err.reason;
  if (err && typeof err.code === 'string') return err.code;
  return '';
}

/** Fills the error box `box` with the message and a details line, and shows it. */
export function showError(box, err) {
  const message = document.createElement('p');
  message.className = 'mensaje';
  message.textContent = plainMessage(err);
  box.replaceChildren(message);
  const word = detailOf(err);
  if (word) {
    const detail = document.createElement('p');
    detail.className = 'detalle';
    detail.textContent = 'Detalle técnico: ' + word;
    box.append(detail);
  }
  box.classList.remove('oculto');
}

// The boxes that go right after a control's row (its <p>, or the control itself).
function boxesFor(control) {
  const row = control.closest('p, form') || control;
  const anchor = row.tagName === 'FORM' ? control : row;
  let busy = anchor.nextElementSibling;
  if (!busy || !busy.classList.contains('ocupado')) {
    busy = document.createElement('div');
    busy.className = 'ocupado oculto';
    busy.setAttribute('role', 'status');
    busy.setAttribute('aria-live', 'polite');
    anchor.after(busy);
  }
  let error = busy.nextElementSibling;
  if (!error || !error.classList.contains('error-control')) {
    error = document.createElement('div');
    error.className = 'error error-control oculto';
    error.setAttribute('role', 'alert');
    busy.after(error);
  }
  return { busy, error };
}

let waitingControl = null;

const WAITING_TEXT = {
  agent: 'Confirme en la ventana de Firmante…',
  // The WebSocket path while the agent asks whether this site may use the certificates (the page
  // API retries until the person answers).
  consent: 'Firmante le pregunta si este sitio puede usar sus certificados. Responda en la ventana ' +
    'de Firmante; esta página sigue esperando su respuesta…',
};

/**
 * Called by the agent call: the person is now looking at (or about to see) Firmante's window;
 * `kind` "consent" while the agent asks whether this site may use the certificates.
 */
export function agentWaiting(waiting, kind = 'agent') {
  if (!waitingControl) return;
  const { busy } = boxesFor(waitingControl);
  busy.textContent = waiting ? (WAITING_TEXT[kind] || WAITING_TEXT.agent) : '';
  busy.classList.toggle('oculto', !waiting);
}

/**
 * Runs `action` for the control the person pressed: the control is disabled and marked busy
 * until it ends; while the agent is asked, a note next to it says to look at Firmante's window;
 * an error shows right after the control, scrolled into view. Resolves to what `action` returns,
 * or undefined after an error.
 */
export async function act(control, action) {
  const { busy, error } = boxesFor(control);
  error.classList.add('oculto');
  error.replaceChildren();
  const wasDisabled = control.disabled;
  control.disabled = true;
  control.setAttribute('aria-busy', 'true');
  waitingControl = control;
  try {
    return await action();
  } catch (err) {
    showError(error, err);
    error.scrollIntoView({ block: 'center' });
    return undefined;
  } finally {
    waitingControl = null;
    busy.classList.add('oculto');
    busy.textContent = '';
    control.removeAttribute('aria-busy');
    control.disabled = wasDisabled;
  }
}
