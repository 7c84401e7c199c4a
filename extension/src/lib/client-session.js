// One runtime port from a content script (one page) or from the popup, with
// the origin the browser attests for it.

// The origin comes from the browser's sender information, never from the
// message: sender.origin (Chromium), else the origin of sender.url (Firefox).
export function originFromSender(sender, ownBaseUrl) {
  if (!sender) return { origin: null, extensionPage: false };
  // The popup and other pages of this extension. Checked by URL prefix because
  // URL.origin of a chrome-extension:// URL is "null" in some engines.
  if (typeof sender.url === 'string' && ownBaseUrl && sender.url.startsWith(ownBaseUrl) && !sender.tab) {
    return { origin: ownBaseUrl.replace(/\/$/, ''), extensionPage: true };
  }
  if (typeof sender.origin === 'string' && sender.origin !== 'null' && sender.origin !== '') {
    return { origin: sender.origin, extensionPage: false };
  }
  try {
    const origin = new URL(sender.url).origin;
    return { origin: origin === 'null' ? null : origin, extensionPage: false };
  } catch {
    return { origin: null, extensionPage: false };
  }
}

export class ClientSession {
  /** native ids of this client's requests still waiting for an answer */
  pending = new Set();
  /** native id of the renewal step in flight, or null (at most one per page) */
  renewalStep = null;
  connected = true;

  constructor(port, ownBaseUrl) {
    this.port = port;
    const { origin, extensionPage } = originFromSender(port.sender, ownBaseUrl);
    this.origin = origin;
    this.extensionPage = extensionPage;
  }

  post(message) {
    if (!this.connected) return;
    try {
      this.port.postMessage(message);
    } catch {
      // The page went away between the answer and now: nothing to tell.
      this.connected = false;
    }
  }
}
