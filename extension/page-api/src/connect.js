// connect(): the extension first, else the WebSocket; and request(), one shared connection per page.
import { FirmanteError, DEFAULT_WS_PORT, LINK_REASONS } from './messages.js';
import { createClient } from './client.js';
import { EXTENSION_ATTRIBUTE, extensionTransport, probeExtension } from './extension-transport.js';
import { openWebSocketTransport } from './websocket-transport.js';

/**
 * Connects to the agent: the extension first, else the WebSocket.
 * @param {object} [options]
 * @param {number} [options.wsPort=31780]  0 = do not try the WebSocket
 * @param {number} [options.timeoutMs=5000]  for each transport's handshake
 * @param {number} [options.probeMs=0]  how long to wait for an extension that has not marked the page;
 *   0 (the default) trusts the mark: the content script runs at document_start, before any page
 *   script, so a page without the mark has no extension and goes straight to the WebSocket
 * @param {{callMs?: number, promptMs?: number}} [options.timeouts]  per-call deadlines
 * @returns {Promise<FirmanteClient>}  rejects with reason NATIVE_UNAVAILABLE (extension present, its native
 *   host not installed), AGENT_NOT_RUNNING (host installed, agent not running), AGENT_UNAVAILABLE (nothing
 *   answered; data.localNetworkAccess when the browser has the permission), LOCAL_NETWORK_DENIED (the
 *   browser refuses this site the loopback WebSocket) or VERSION_MISMATCH
 */
export async function connect(options = {}) {
  const {
    wsPort = DEFAULT_WS_PORT,
    timeoutMs = 5_000,
    probeMs = 0,
    timeouts,
    window: win = globalThis.window,
    WebSocket: WebSocketImpl = globalThis.WebSocket,
  } = options;

  let extensionFailure = null;
  if (win && typeof win.postMessage === 'function') {
    // The content script announces itself by marking <html> at document_start, before any page
    // script runs: no mark, no extension, and no fixed wait before the WebSocket (issue 14; a
    // 300 ms probe here cost every page load of a WebSocket-only browser). A page that wants to
    // wait anyway for an extension installed after it loaded passes probeMs.
    const marked = win.document?.documentElement?.hasAttribute?.(EXTENSION_ATTRIBUTE) ?? false;
    if ((marked || probeMs > 0) && await probeExtension(win, marked ? timeoutMs : probeMs)) {
      const client = createClient(extensionTransport(win), { timeouts });
      try {
        await client.handshake(timeoutMs);
        return client;
      } catch (err) {
        if (!LINK_REASONS.has(err.reason)) return client; // the agent answered; it just would not tell this page
        client.close();
        extensionFailure = err;
      }
    }
  }

  let websocketFailure = null;
  if (wsPort && WebSocketImpl) {
    try {
      const client = createClient(await openWebSocketTransport(WebSocketImpl, wsPort, timeoutMs), { timeouts });
      try {
        await client.handshake(timeoutMs);
        return client;
      } catch (err) {
        if (!LINK_REASONS.has(err.reason)) return client;
        client.close();
        websocketFailure = err;
      }
    } catch (err) {
      websocketFailure = err;
    }
  }

  if (websocketFailure?.reason === 'AGENT_UNAVAILABLE') websocketFailure = await withLocalNetworkState(websocketFailure, win);
  if (websocketFailure?.reason === 'VERSION_MISMATCH' || websocketFailure?.reason === 'LOCAL_NETWORK_DENIED') throw websocketFailure;
  if (extensionFailure) throw extensionFailure;
  throw websocketFailure ?? new FirmanteError('The Firmante agent is not reachable from this page', { reason: 'AGENT_UNAVAILABLE' });
}

// Chromium's Local Network Access (Chrome 142+, WebSockets from 147): a public site must be
// allowed by the person before it reaches ws://127.0.0.1. A refused WebSocket looks the same
// whatever the cause, so after one fails the permission's state tells the page what to say:
// "denied" is LOCAL_NETWORK_DENIED; otherwise AGENT_UNAVAILABLE with data.localNetworkAccess
// ("prompt": the person may have dismissed the question; "granted": the agent is not there).
const LOCAL_NETWORK_PERMISSIONS = ['local-network-access', 'loopback-network'];

async function withLocalNetworkState(err, win) {
  const permissions = win?.navigator?.permissions;
  if (!permissions || typeof permissions.query !== 'function') return err;
  // Chromium has had one name (142) and then two finer ones (145); any of them denied blocks.
  const states = [];
  for (const name of LOCAL_NETWORK_PERMISSIONS) {
    try {
      states.push((await permissions.query({ name })).state);
    } catch {
      // this browser does not know the name
    }
  }
  if (states.length === 0) return err;
  if (states.includes('denied')) {
    return new FirmanteError('The browser does not let this site reach the agent on this computer (local network access)',
      { reason: 'LOCAL_NETWORK_DENIED', data: { localNetworkAccess: 'denied' } });
  }
  const state = states.includes('prompt') ? 'prompt' : states[0];
  return new FirmanteError(err.message, { reason: err.reason, code: err.code, data: { ...err.data, localNetworkAccess: state } });
}

let shared = null;

/**
 * One call on a connection shared by the whole page, opened on first use with
 * `options` and re-opened after the agent goes away.
 */
export async function request(method, params = {}, options = {}) {
  if (!shared) {
    shared = connect(options);
    shared.catch(() => { shared = null; });
  }
  const client = await shared;
  try {
    return await client.request(method, params);
  } catch (err) {
    if (err?.reason === 'AGENT_UNAVAILABLE' && shared) {
      const current = await shared.catch(() => null);
      if (current === client) shared = null;
    }
    throw err;
  }
}

