// The WebSocket path: ws://127.0.0.1:PORT, for browsers without the extension.
import { FirmanteError } from './messages.js';
import { WORDS } from './reasons.js';

/** Opens ws://127.0.0.1:port; rejects with AGENT_UNAVAILABLE. */
export function openWebSocketTransport(WebSocketImpl, port, timeoutMs) {
  return new Promise((resolve, reject) => {
    let ws;
    try {
      ws = new WebSocketImpl(`ws://127.0.0.1:${port}`);
    } catch (err) {
      reject(new FirmanteError(`No WebSocket: ${err?.message ?? err}`, { reason: WORDS.AGENT_UNAVAILABLE }));
      return;
    }
    let open = false;
    const transport = {
      kind: 'websocket',
      onmessage: null,
      onclose: null,
      send(message, text) {
        if (ws.readyState !== 1) throw new FirmanteError('The agent connection is closed', { reason: WORDS.AGENT_UNAVAILABLE });
        ws.send(text ?? JSON.stringify(message));
      },
      close() {
        ws.close();
      },
    };
    const timer = setTimeout(() => {
      ws.close();
      reject(new FirmanteError(`The agent did not accept a WebSocket on port ${port}`, { reason: WORDS.AGENT_UNAVAILABLE }));
    }, timeoutMs);
    ws.onopen = () => {
      open = true;
      clearTimeout(timer);
      resolve(transport);
    };
    ws.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return;
      }
      transport.onmessage?.(msg);
    };
    const refused = () => {
      clearTimeout(timer);
      reject(new FirmanteError(`No Firmante agent on ws://127.0.0.1:${port}`, { reason: WORDS.AGENT_UNAVAILABLE }));
    };
    // Browsers fire error then close on a refused connection; some other
    // implementations only error. Either settles the attempt (reject is idempotent).
    ws.onerror = () => {
      if (!open) refused();
    };
    ws.onclose = () => {
      if (!open) {
        refused();
        return;
      }
      transport.onclose?.(new FirmanteError('The agent closed the connection', { reason: WORDS.AGENT_UNAVAILABLE }));
    };
  });
}
