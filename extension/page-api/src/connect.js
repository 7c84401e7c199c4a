// connect(): the extension first, else the WebSocket; and request(), one shared connection per page.
import { FirmanteError, DEFAULT_WS_PORT, LINK_REASONS } from './messages.js';
import { createClient } from './client.js';
import { EXTENSION_ATTRIBUTE, extensionTransport, probeExtension } from './extension-transport.js';
import { openWebSocketTransport } from './websocket-transport.js';
import { WORDS } from './reasons.js';

/**
 * Connects to the agent: the extension first, else the WebSocket.
 * @param {object} [options]
 * @param {number} [options.wsPort=31780]  0 = do not try the WebSocket
 * @param {number} [options.timeoutMs=5000]  for each transport's handshake
 * @param {number} [options.probeMs=0]  how long to wait for an extension that has not marked the page;
 *   0 (the default) trusts the mark: the content script runs at document_start, before any page
 *   script, so a page without the mark has no extension and goes straight to the WebSocket
 * @param {{callMs?: number, promptMs?: number}} [options.timeouts]  per-call deadlines
 * @param {number} [options.consentWaitMs=300000]  how long the WebSocket path keeps trying while the
 *   agent asks the person whether this site may use the certificates (see CONSENT_HELD_MS)
 * @param {(wait: {attempt: number, retryInMs: number, waitedMs: number}) => void} [options.onConsentWait]
 *   called before each such retry: the page shows it is waiting for the person's answer in Firmante's window
 * @returns {Promise<FirmanteClient>}  rejects with reason NATIVE_UNAVAILABLE (extension present, its native
 *   host not installed), AGENT_NOT_RUNNING (host installed, agent not running), AGENT_UNAVAILABLE (nothing
 *   answered; data.localNetworkAccess when the browser has the permission), LOCAL_NETWORK_DENIED (the
 *   browser refuses this site the loopback WebSocket), TIMEOUT (data.consentWaitMs: the agent was still
 *   asking the person when consentWaitMs ran out) or VERSION_MISMATCH
 */
export async function connect(options = {}) {
  const {
    wsPort = DEFAULT_WS_PORT,
    timeoutMs = 5_000,
    probeMs = 0,
    timeouts,
    consentWaitMs = CONSENT_WAIT_MS,
    onConsentWait,
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
      const transport = await openWebSocketWaitingForConsent(
        () => openWebSocketTransport(WebSocketImpl, wsPort, timeoutMs), { consentWaitMs, onConsentWait, win });
      const client = createClient(transport, { timeouts });
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

  if (websocketFailure?.reason === WORDS.AGENT_UNAVAILABLE) websocketFailure = await withLocalNetworkState(websocketFailure, win);
  if (websocketFailure?.reason === WORDS.VERSION_MISMATCH || websocketFailure?.reason === WORDS.LOCAL_NETWORK_DENIED) throw websocketFailure;
  if (extensionFailure) throw extensionFailure;
  throw websocketFailure ?? new FirmanteError('The Firmante agent is not reachable from this page', { reason: WORDS.AGENT_UNAVAILABLE });
}

// The agent holds the WebSocket upgrade of a site it must ask the person about while its question
// is open: at most 10 s, then HTTP 503 with Retry-After (the question stays on screen and the next
// attempt gets the answer at once), or 403 once the person refused. A browser shows the page
// neither status, only that the socket failed. What the page does see is time: with no agent, or a
// refusal the agent remembers, the socket fails within milliseconds; a failure after the agent
// held the upgrade for CONSENT_HELD_MS or more (or our own deadline while it held it) means the
// agent was asking the person, and the page tries again after RETRY_AFTER_MS instead of failing,
// for at most consentWaitMs. After a refusal the next attempt fails at once and the failure stands.
export const CONSENT_HELD_MS = 1_000;
export const RETRY_AFTER_MS = 2_000; // the agent's Retry-After
export const CONSENT_WAIT_MS = 5 * 60_000;

const now = () => (globalThis.performance?.now ? globalThis.performance.now() : Date.now());
const pause = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

async function openWebSocketWaitingForConsent(open, { consentWaitMs, onConsentWait, win }) {
  const started = now();
  for (let attempt = 1; ; attempt++) {
    const began = now();
    try {
      return await open();
    } catch (err) {
      if (err?.reason !== WORDS.AGENT_UNAVAILABLE || now() - began < CONSENT_HELD_MS) throw err;
      // Chromium's own local-network question also holds the socket: a "no" there is final.
      const local = await withLocalNetworkState(err, win);
      if (local.reason === WORDS.LOCAL_NETWORK_DENIED) throw local;
      const waitedMs = Math.round(now() - started);
      if (waitedMs + RETRY_AFTER_MS >= consentWaitMs) {
        throw new FirmanteError(`The agent was still asking the person about this site after ${Math.round(waitedMs / 1000)} s`,
          { reason: WORDS.TIMEOUT, data: { consentWaitMs } });
      }
      if (typeof onConsentWait === 'function') {
        try {
          onConsentWait({ attempt, retryInMs: RETRY_AFTER_MS, waitedMs });
        } catch (listenerError) {
          setTimeout(() => { throw listenerError; }, 0); // the page's bug must not stop the wait
        }
      }
      await pause(RETRY_AFTER_MS);
    }
  }
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
      { reason: WORDS.LOCAL_NETWORK_DENIED, data: { localNetworkAccess: 'denied' } });
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
    if (err?.reason === WORDS.AGENT_UNAVAILABLE && shared) {
      const current = await shared.catch(() => null);
      if (current === client) shared = null;
    }
    throw err;
  }
}

