// Loads the built extension into a real headless Chromium with a fake native
// host and drives a page through the page API over CDP. Used by
// test/chromium.test.mjs; runnable alone:
//   node --experimental-websocket extension/test-support/chromium-smoke.mjs
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '../tools/build.mjs';
import { extensionId } from '../tools/manifest-tools.mjs';
import { generate as pageApi } from '../tools/page-api.mjs';

export const CHROMIUM = process.env.FIRMANTE_CHROMIUM ?? '/usr/bin/chromium';
const HOST_SCRIPT = fileURLToPath(new URL('./fake-native-host.mjs', import.meta.url));

async function until(what, fn, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

class Cdp {
  #ws;
  #next = 0;
  #waiting = new Map();
  constructor(ws) {
    this.#ws = ws;
    ws.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      const w = this.#waiting.get(msg.id);
      if (!w) return;
      this.#waiting.delete(msg.id);
      if (msg.error) w.reject(new Error(`${msg.error.message}`));
      else w.resolve(msg.result);
    };
  }
  static async open(url) {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error('CDP connection failed'));
    });
    return new Cdp(ws);
  }
  send(method, params = {}, sessionId) {
    const id = ++this.#next;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    this.#ws.send(JSON.stringify(msg));
    return new Promise((resolve, reject) => this.#waiting.set(id, { resolve, reject }));
  }
  close() {
    this.#ws.close();
  }
}

/**
 * Starts headless Chromium with the built extension and a portal page server
 * on http://127.0.0.1:<port>/ (serving /firmante.js), then runs
 * `scenario({ openTab(url) → evaluate(expr), origin, extensionBase, until })`.
 * `withHost: false` leaves the native host unregistered; `hostPath` registers
 * another host executable (e.g. the real firmante-nmhost) and `env` adds to
 * the browser's environment, which the host inherits; `args` adds switches
 * (e.g. `--lang=es-MX`).
 */
export async function runInChromium(scenario, { withHost = true, hostPath, env, args = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'firmante-chromium-'));
  const cleanups = [() => rmSync(dir, { recursive: true, force: true })];
  let cdp = null;
  try {
    const ext = join(dir, 'extension');
    build({ target: 'chromium', out: ext });
    const profile = join(dir, 'profile');
    mkdirSync(join(profile, 'NativeMessagingHosts'), { recursive: true });
    if (withHost) {
      let wrapper = hostPath;
      if (!wrapper) {
        wrapper = join(dir, 'fake-host.sh');
        writeFileSync(wrapper, `#!/bin/sh\nexec '${process.execPath}' '${HOST_SCRIPT}' "$@"\n`);
        chmodSync(wrapper, 0o755);
      }
      writeFileSync(join(profile, 'NativeMessagingHosts', 'org.firmante.agent.json'), JSON.stringify({
        name: 'org.firmante.agent', description: 'fake', path: wrapper, type: 'stdio',
        allowed_origins: [`chrome-extension://${extensionId()}/`],
      }));
    }

    const server = createServer((req, res) => {
      if (req.url === '/firmante.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(pageApi());
      } else {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>portal</title><p>portal</p>');
      }
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => server.close());
    const origin = `http://127.0.0.1:${server.address().port}`;

    const chrome = spawn(CHROMIUM, [
      '--headless', `--user-data-dir=${profile}`, '--remote-debugging-port=0',
      `--disable-extensions-except=${ext}`, `--load-extension=${ext}`,
      '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', ...args, 'about:blank',
    ], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    chrome.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise((resolve) => chrome.once('exit', resolve));
    cleanups.push(async () => {
      // Ask politely so renderers and the native host wind down, then make sure.
      let grace;
      await Promise.race([cdp?.send('Browser.close').catch(() => {}), new Promise((r) => { grace = setTimeout(r, 3_000); })]);
      clearTimeout(grace);
      const timer = setTimeout(() => chrome.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    });

    const portFile = join(profile, 'DevToolsActivePort');
    const [port, path] = (await until('DevToolsActivePort', () => existsSync(portFile) &&
      readFileSync(portFile, 'utf8').split('\n').length >= 2 && readFileSync(portFile, 'utf8'), 20_000)).split('\n');
    cdp = await Cdp.open(`ws://127.0.0.1:${port}${path}`);

    // The service worker starts when the extension loads.
    await until('the extension service worker', async () => {
      const { targetInfos } = await cdp.send('Target.getTargets');
      return targetInfos.some((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${extensionId()}/`)) && targetInfos;
    }, 20_000);

    const openTab = async (url) => {
      const { targetId } = await cdp.send('Target.createTarget', { url });
      const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
      const evaluate = async (expression) => {
        const { result, exceptionDetails } = await cdp.send('Runtime.evaluate',
          { expression, awaitPromise: true, returnByValue: true }, sessionId);
        if (exceptionDetails) {
          throw new Error(`script failed: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
        }
        return result.value;
      };
      // A new tab is about:blank (already "complete") until the navigation commits.
      await until(url, async () => (await evaluate(`location.href === ${JSON.stringify(url)} && document.readyState`)) === 'complete', 20_000);
      return evaluate;
    };
    return await scenario({ openTab, origin, extensionBase: `chrome-extension://${extensionId()}/`, until });
  } finally {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch {
        // best effort
      }
    }
  }
}

export const PAGE_SCRIPT = `(async () => {
  const { Firmante } = await import('/firmante.js');
  const c = await Firmante.connect({ wsPort: 0 });
  const event = new Promise((resolve) => c.on('tokens.changed', resolve));
  const tokens = await c.listTokens();
  const signed = await c.signChallenge({ certificate: 'pkcs11:id=%01', nonce: new Uint8Array(16) });
  return { transport: c.transport, tokens, signed, event: await event,
    mark: document.documentElement.getAttribute('data-firmante-extension') };
})()`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = await runInChromium(async ({ openTab, origin }) => ({ origin, result: await (await openTab(origin + '/'))(PAGE_SCRIPT) }));
  console.log(JSON.stringify(out, null, 2));
}
