// The extension path: the page and the extension's content script talk through
// window.postMessage, each accepting only this window and this origin.

export const EXTENSION_ATTRIBUTE = 'data-firmante-extension';

/** Resolves true when the extension's content script answers a ping within `ms`. */
export function probeExtension(win, ms) {
  return new Promise((resolve) => {
    const origin = win.location.origin;
    const done = (found) => {
      clearTimeout(timer);
      win.removeEventListener('message', onMessage);
      resolve(found);
    };
    const onMessage = (event) => {
      if (event.source === win && event.origin === origin && event.data?.firmante === 'ready') done(true);
    };
    const timer = setTimeout(() => done(false), ms);
    win.addEventListener('message', onMessage);
    win.postMessage({ firmante: 'ping' }, origin);
  });
}

export function extensionTransport(win) {
  const origin = win.location.origin;
  const transport = {
    kind: 'extension',
    onmessage: null,
    onclose: null,
    send(message) {
      win.postMessage({ firmante: 'request', request: message }, origin);
    },
    close() {
      win.removeEventListener('message', onMessage);
    },
  };
  // Same acceptance rule as the content script: this window, this origin.
  function onMessage(event) {
    if (event.source !== win || event.origin !== origin) return;
    const data = event.data;
    if (!data || typeof data !== 'object') return;
    if (data.firmante === 'response') transport.onmessage?.(data.response);
    else if (data.firmante === 'event') transport.onmessage?.(data.event);
  }
  win.addEventListener('message', onMessage);
  return transport;
}
