// A browser window as far as window.postMessage goes: asynchronous delivery
// to every 'message' listener, with event.source and event.origin set by the
// "browser", and messages to a non-matching targetOrigin dropped.

export class FakePageWindow {
  #listeners = new Set();
  /** every postMessage call: { data, targetOrigin } */
  posts = [];

  constructor(origin, { marked = false } = {}) {
    this.location = { origin, href: origin + '/renovacion' };
    const attrs = new Map();
    if (marked) attrs.set('data-firmante-extension', '1');
    this.document = {
      documentElement: {
        setAttribute: (k, v) => attrs.set(k, String(v)),
        hasAttribute: (k) => attrs.has(k),
        getAttribute: (k) => attrs.get(k) ?? null,
      },
      addEventListener() {},
    };
  }

  get listenerCount() {
    return this.#listeners.size;
  }

  addEventListener(type, fn) {
    if (type === 'message') this.#listeners.add(fn);
  }

  removeEventListener(type, fn) {
    if (type === 'message') this.#listeners.delete(fn);
  }

  postMessage(data, targetOrigin) {
    this.posts.push({ data: structuredClone(data), targetOrigin });
    if (targetOrigin !== '*' && targetOrigin !== this.location.origin) return;
    const copy = structuredClone(data);
    setImmediate(() => {
      for (const l of [...this.#listeners]) l({ data: copy, source: this, origin: this.location.origin });
    });
  }
}
