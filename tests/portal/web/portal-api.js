// Shared page helpers: the portal's own JSON API (/api/...) and the token
// actions. Token actions go through the Firmante page API module
// (/firmante.js, served when the portal runs with --page-api-dir) when it is
// available; otherwise the page shows the JSON-RPC request it would send to the
// agent and lets the person paste the agent's `result` object (for example from
// `firmante --json`), so every screen can be walked by hand.
import { agentWaiting, showError } from '/static/avisos.js';

export { act } from '/static/avisos.js';

/** Calls the portal API; resolves to the parsed JSON or rejects with the portal's error. */
export async function api(method, path, body) {
  const init = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = { error: { code: 'HTTP_' + res.status, message: text } }; }
  if (!res.ok || json.error) throw Object.assign(new Error(json.error.message), json.error);
  return json;
}

let pageApi; // undefined = not looked up yet, null = absent

/**
 * How the page API should reach the agent. `?wsPort=N` in the address (kept for the tab, so the
 * renewal link and the mailbox's link keep it) selects the agent's WebSocket port when it is not
 * the default 31780; the page API still tries the extension first.
 */
export function connectOptions() {
  const fromUrl = new URLSearchParams(location.search).get('wsPort');
  if (fromUrl !== null && /^[0-9]{1,5}$/.test(fromUrl)) sessionStorage.setItem('firmante.wsPort', fromUrl);
  const kept = sessionStorage.getItem('firmante.wsPort');
  // Over the WebSocket the agent may first ask the person whether this site may use the
  // certificates; the page API waits for the answer and says so here.
  const options = { onConsentWait: () => agentWaiting(true, 'consent') };
  if (kept !== null) options.wsPort = Number(kept);
  return options;
}

async function loadPageApi() {
  if (pageApi !== undefined) return pageApi;
  try {
    const mod = await import('/firmante.js');
    const request = mod.request || (mod.default && mod.default.request);
    pageApi = typeof request === 'function' ? { request: request.bind(mod.default || mod) } : null;
  } catch {
    pageApi = null;
  }
  return pageApi;
}

let rpcId = 1;

/**
 * Performs a token action (a Firmante JSON-RPC method, DESIGN §2). `panel` is
 * the element where the manual fallback is shown.
 */
export async function agent(method, params, panel) {
  const pa = await loadPageApi();
  if (pa) {
    // Whatever the agent asks (PIN, consent, a letter to read) it asks in its own window.
    agentWaiting(true);
    try {
      return await pa.request(method, params, connectOptions());
    } finally {
      agentWaiting(false);
    }
  }
  const request = { jsonrpc: '2.0', id: rpcId++, method, params };
  return new Promise((resolve, reject) => {
    panel.classList.remove('oculto');
    panel.innerHTML = '';
    const intro = document.createElement('p');
    intro.textContent = 'La extensión Firmante no está conectada. Esta es la solicitud JSON-RPC ' +
      'que la página enviaría al agente; pegue abajo el objeto "result" de la respuesta.';
    const pre = document.createElement('pre');
    pre.className = 'rpc';
    pre.textContent = JSON.stringify(request, null, 2);
    const area = document.createElement('textarea');
    area.setAttribute('aria-label', 'Resultado JSON del agente');
    const ok = document.createElement('button');
    ok.textContent = 'Continuar';
    const cancel = document.createElement('button');
    cancel.textContent = 'Cancelar';
    ok.onclick = () => {
      try {
        const value = JSON.parse(area.value);
        panel.classList.add('oculto');
        resolve(value.result !== undefined ? value.result : value);
      } catch (e) {
        alert('JSON inválido: ' + e.message);
      }
    };
    cancel.onclick = () => { panel.classList.add('oculto'); reject(new Error('Operación cancelada.')); };
    panel.append(intro, pre, area, ok, cancel);
  });
}

export function $(id) { return document.getElementById(id); }

export function show(id) { $(id).classList.remove('oculto'); }
export function hide(id) { $(id).classList.add('oculto'); }

/** Shows an error (a portal error object or an Error) in the page-wide box `id`. */
export function fail(id, err) {
  showError($(id), err);
}

export function clearError(id) { const b = $(id); b.classList.add('oculto'); b.textContent = ''; }

/** Offers base64 bytes as a file download. */
export function download(base64, fileName, type) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Wraps lower-case hex pairs at 22 pairs per line, as the letters print them. */
export function wrapHex(hex) {
  const pairs = hex.trim().split(/\s+/);
  const lines = [];
  for (let i = 0; i < pairs.length; i += 22) lines.push(pairs.slice(i, i + 22).join(' '));
  return lines.join('\n');
}

/** The renewal id the agent gave at step 4, kept for this browser tab. */
export const renewal = {
  get id() { return sessionStorage.getItem('firmante.renewalId'); },
  set id(v) { sessionStorage.setItem('firmante.renewalId', v); },
  get certificate() { return sessionStorage.getItem('firmante.certificate'); },
  set certificate(v) { sessionStorage.setItem('firmante.certificate', v); },
};

// Remember a ?wsPort= of the address as soon as the page loads.
connectOptions();
