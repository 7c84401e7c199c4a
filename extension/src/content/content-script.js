// Firmante content script: the bridge between a portal page and the
// extension's background. A classic script (manifest content scripts cannot be
// ES modules), so the logic is one function that node tests run in a vm
// context with a fake window and runtime.
//
// Page → extension: window.postMessage({ firmante: 'request', request: {jsonrpc…} }, origin)
//                   window.postMessage({ firmante: 'ping' }, origin)
// Extension → page: { firmante: 'response', response }, { firmante: 'event', event },
//                   { firmante: 'ready', protocolVersion: 1 }
// plus the attribute data-firmante-extension="1" on <html>.
(function () {
  'use strict';

  const PROTOCOL_VERSION = 1;
  // Matches the background's limit; checked here too so that an oversized
  // request is refused before it is copied into the extension.
  const MAX_REQUEST_CHARS = 16 * 1024 * 1024;
  const ATTRIBUTE = 'data-firmante-extension';

  function startFirmanteContentScript(win, runtime) {
    const origin = win.location.origin;
    // An opaque origin ("null") can neither be attested nor addressed by
    // postMessage, so the page gets no bridge at all.
    if (!origin || origin === 'null') return null;

    let port = null;
    const inFlight = new Map(); // JSON of the page's id → count

    const toPage = (message) => win.postMessage(message, origin);
    const reply = (response) => toPage({ firmante: 'response', response });
    const fail = (id, reason, message, code = -32000) =>
      reply({ jsonrpc: '2.0', id: id ?? null, error: { code, message, data: { reason } } });

    function track(id, delta) {
      const key = JSON.stringify(id);
      const n = (inFlight.get(key) ?? 0) + delta;
      if (n > 0) inFlight.set(key, n);
      else inFlight.delete(key);
    }

    function connect() {
      if (port) return port;
      const p = runtime.connect({ name: 'firmante-page' });
      p.onMessage.addListener((msg) => {
        if (!msg || typeof msg !== 'object') return;
        if (msg.id === undefined && typeof msg.method === 'string') {
          toPage({ firmante: 'event', event: msg });
          return;
        }
        track(msg.id, -1);
        reply(msg);
      });
      p.onDisconnect.addListener(() => {
        if (port === p) port = null;
        // Whatever was in flight will never be answered: say so instead of
        // leaving the page waiting. The next request reconnects.
        const ids = [...inFlight.entries()];
        inFlight.clear();
        for (const [key, count] of ids) {
          for (let i = 0; i < count; i++) {
            fail(JSON.parse(key), 'NATIVE_UNAVAILABLE', 'The extension background disconnected');
          }
        }
      });
      port = p;
      return p;
    }

    function relay(request) {
      const id = request && typeof request === 'object' &&
        (typeof request.id === 'string' || typeof request.id === 'number') ? request.id : null;
      let text;
      try {
        text = JSON.stringify(request);
      } catch {
        text = undefined;
      }
      if (typeof text !== 'string' || !request || typeof request !== 'object' || Array.isArray(request)) {
        fail(id, 'INVALID_REQUEST', 'Expected a JSON-RPC request object', -32600);
        return;
      }
      if (text.length > MAX_REQUEST_CHARS) {
        fail(id, 'TOO_LARGE', `The request exceeds ${MAX_REQUEST_CHARS} characters of JSON`);
        return;
      }
      // A plain JSON copy: no page prototypes or getters cross into the extension.
      const copy = JSON.parse(text);
      try {
        connect().postMessage(copy);
      } catch (err) {
        port = null;
        // The extension was reloaded or removed under this page.
        fail(id, 'NATIVE_UNAVAILABLE', `The extension is not reachable: ${err && err.message}`);
        return;
      }
      track(id, +1);
    }

    function onMessage(event) {
      // Only the page's own window, at its own origin: never another frame,
      // never a window this page opened or was opened by.
      if (event.source !== win || event.origin !== origin) return;
      const data = event.data;
      if (!data || typeof data !== 'object') return;
      if (data.firmante === 'request') {
        relay(data.request);
      } else if (data.firmante === 'ping') {
        try {
          connect(); // so notifications flow before the first call
        } catch {
          port = null;
        }
        announce();
      }
      // Anything else, including our own replies echoed back, is ignored.
    }

    function announce() {
      toPage({ firmante: 'ready', protocolVersion: PROTOCOL_VERSION });
    }

    function mark() {
      const root = win.document && win.document.documentElement;
      if (root) root.setAttribute(ATTRIBUTE, String(PROTOCOL_VERSION));
      return Boolean(root);
    }

    win.addEventListener('message', onMessage);
    if (!mark()) win.document.addEventListener('readystatechange', mark, { once: true });
    announce();
    return { onMessage };
  }

  const api = globalThis.browser ?? globalThis.chrome;
  if (api && api.runtime && typeof window !== 'undefined' && !window.__firmanteContentScript) {
    // Run once per world even if the script is evaluated twice.
    window.__firmanteContentScript = true;
    startFirmanteContentScript(window, api.runtime);
  }
})();
