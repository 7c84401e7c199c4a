// Wires the relay to the native connection and to the browser's runtime
// events. Shared by the Chromium service worker and the Firefox event page.
import { NativeConnection } from './native-connection.js';
import { Relay } from './relay.js';
import { HOST_NAME, MAX_REQUEST_BYTES, TIMEOUTS } from './protocol.js';

/**
 * @param {object} api  `chrome` or `browser` (or a fake with the same `runtime`)
 * @returns {{ relay: Relay, native: NativeConnection }}
 */
export function startBackground(api, { hostName = HOST_NAME, timeouts = TIMEOUTS, maxRequestBytes = MAX_REQUEST_BYTES } = {}) {
  const runtime = api.runtime;
  let relay = null;
  const ownBaseUrl = runtime.getURL('');
  const native = new NativeConnection({
    runtime,
    ownOrigin: ownBaseUrl.replace(/\/$/, ''),
    hostName,
    timeouts,
    onMessage: (msg) => relay.onNativeMessage(msg),
    onDisconnect: (err) => relay.onNativeDisconnect(err),
    shouldStayOpen: () => relay.clientCount > 0,
  });
  relay = new Relay({ native, ownBaseUrl, timeouts, maxRequestBytes });
  runtime.onConnect.addListener((port) => relay.addClient(port));
  return { relay, native };
}
