// One private world per test: a SoftHSM token holding the employer's key and expired
// certificate (made as the demo makes them), the reference portal, the agent with the fake
// pinentry, and headless Chromium with or without the extension. Everything lives in a fresh
// temporary directory; ports are picked by the system.
import { mkdtemp, mkdir, writeFile, readFile, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';

import { PlaywrightDriver, PuppeteerDriver } from './drivers.mjs';

import { run, Daemon, waitFor, socketAccepts } from './processes.mjs';
import { callAgent } from './agent-client.mjs';
import { writeBundle } from '../../../extension/tools/page-api.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BUILD = path.resolve(process.env.FIRMANTE_BUILD ?? path.join(ROOT, 'build'));
export const EXTENSION_DIR = process.env.FIRMANTE_E2E_EXTENSION ?? path.join(BUILD, 'extension', 'chromium');
export const FIREFOX_EXTENSION_DIR = process.env.FIRMANTE_E2E_FIREFOX_EXTENSION ?? path.join(BUILD, 'extension', 'firefox');
export const EXTENSION_ID = 'afhfgighjolakkaojlpbnjliophojapc';
export const GECKO_ID = 'firmante@firmante.org';
export const CHROMIUM = process.env.FIRMANTE_CHROMIUM ?? '/usr/bin/chromium';
export const FIREFOX = process.env.FIRMANTE_FIREFOX ?? '/usr/bin/firefox-esr';
export const MODULE = '/usr/lib/softhsm/libsofthsm2.so';
export const PIN = '123456'; // the test token's PIN; only the fake pinentry and --pin-fd see it
const SO_PIN = '12345678';
const LABEL = 'Firmante E2E';
const SCREEN = { width: 1000, height: 800 }; // the headed Firefox's Xvfb screen
const SUBJECT = '/CN=PRUEBA 4 PRUEBA 4 PRUEBA 4/UID=A064878710/O=PRUEBA 4/C=MX';

// What the browser passes on to firmante-nmhost: never start an agent of its own (the test's
// runs), and give up on one within a second when the test stopped it.
const HOST_ENV = { FIRMANTE_AGENT: '/bin/false', FIRMANTE_AGENT_START_TIMEOUT_MS: '1000' };

const bin = {
  agent: path.join(BUILD, 'agent', 'firmante-agent'),
  nmhost: path.join(BUILD, 'native-messaging', 'firmante-nmhost'),
  cli: path.join(BUILD, 'cli', 'firmante'),
  portal: path.join(BUILD, 'tests', 'portal', 'firmante-portal'),
  pinentry: path.join(BUILD, 'tests', 'agent', 'firmante_fake_pinentry'),
};

/**
 * Whether the built agent has the WebSocket transport (agent/websocket): its binary carries the
 * FIRMANTE_WS_PORT parser's message. Asked of the binary, not the source tree, so a build made
 * before the transport landed skips the WebSocket runs (reported as skipped, never as passed).
 */
export function webSocketAvailable() {
  try {
    return readFileSync(bin.agent).includes('FIRMANTE_WS_PORT must be a port number');
  } catch {
    return false;
  }
}

export class World {
  /**
   * @param {object} o
   * @param {'native-messaging'|'websocket'} o.transport  how the page reaches the agent
   * @param {boolean} [o.extension]  load the extension (default: transport is native-messaging)
   * @param {'127.0.0.1'|'localhost'} [o.pageHost]  the host name the browser uses for the portal
   * @param {string} [o.name]  artefact folder name (default: the transport)
   * @param {'chromium'|'firefox'} [o.browser]  which engine (default chromium)
   * @param {string[]|((world: World) => string[])} [o.chromiumArgs]  extra Chromium switches (a
   *   function of the started world, e.g. for the portal's port)
   * @param {boolean} [o.headed]  Firefox only: a real window on a private Xvfb display
   *   (`world.display`), for what only a window shows (the toolbar popup)
   */
  constructor({ transport, extension = transport === 'native-messaging', pageHost = '127.0.0.1', name,
    browser = 'chromium', chromiumArgs = [], headed = false }) {
    this.headed = headed;
    this.transport = transport;
    this.extension = extension;
    this.pageHost = pageHost;
    this.browserName = browser;
    this.chromiumArgs = chromiumArgs;
    this.artefacts = path.join(BUILD, 'e2e-artifacts', name ?? (browser === 'chromium' ? transport : `${browser}-${transport}`));
  }

  get extensionDir() { return this.browserName === 'firefox' ? FIREFOX_EXTENSION_DIR : EXTENSION_DIR; }

  async start() {
    for (const [what, file] of Object.entries(bin)) {
      if (!existsSync(file)) throw new Error(`missing ${what} binary ${file}: build it first`);
    }
    if (this.extension && !existsSync(path.join(this.extensionDir, 'manifest.json'))) {
      throw new Error(`no built extension in ${this.extensionDir} (node extension/tools/build.mjs --target ${this.browserName} --out DIR)`);
    }
    this.dir = await mkdtemp(path.join(os.tmpdir(), 'firmante-e2e-'));
    await rm(this.artefacts, { recursive: true, force: true });
    await mkdir(this.artefacts, { recursive: true });
    await this.#makeToken();
    await this.#startPortal();
    await this.#provisionExpiredCertificate();
    await this.#startAgent();
    if (this.browserName === 'firefox') await this.#startFirefox();
    else await this.#startBrowser();
    return this;
  }

  get tokenEnv() {
    return { ...process.env, SOFTHSM2_CONF: path.join(this.dir, 'softhsm2.conf'), FIRMANTE_MODULE: MODULE,
      FIRMANTE_SOCKET: path.join(this.dir, 'agent.sock'), XDG_RUNTIME_DIR: path.join(this.dir, 'run') };
  }

  async #makeToken() {
    await mkdir(path.join(this.dir, 'tokens'));
    await mkdir(path.join(this.dir, 'run'), { mode: 0o700 });
    await writeFile(path.join(this.dir, 'softhsm2.conf'),
      `directories.tokendir = ${path.join(this.dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    await run('softhsm2-util', ['--init-token', '--free', '--label', LABEL, '--so-pin', SO_PIN, '--pin', PIN],
      { env: this.tokenEnv });
  }

  async #startPortal() {
    this.portal = new Daemon('firmante-portal', bin.portal,
      ['serve', '--state-dir', path.join(this.dir, 'portal'), '--port', '0',
        '--web-dir', path.join(ROOT, 'tests', 'portal', 'web'),
        // The page API built from its modules for this world (tools/page-api.mjs), as a portal
        // would build it; FIRMANTE_E2E_PAGE_API_DIR: another build, to measure a change against it.
        '--page-api-dir', process.env.FIRMANTE_E2E_PAGE_API_DIR ??
          path.dirname(writeBundle(path.join(this.dir, 'page-api')))],
      { env: process.env, logPath: path.join(this.dir, 'portal.log') });
    const url = new URL(await this.portal.firstLine());
    this.portalPort = url.port;
    this.allowedOrigin = `http://127.0.0.1:${url.port}`;
    this.origin = `http://${this.pageHost}:${url.port}`;
  }

  // As the demo does it: key on the token, CSR signed there, the portal issues the certificate
  // already expired, and it goes back onto the token. The PIN travels on descriptor 3.
  async #provisionExpiredCertificate() {
    const env = this.tokenEnv;
    const pin = { 3: PIN + '\n' };
    const cli = (...args) => run(bin.cli, [...args, '--token', LABEL, '--pin-fd', '3'], { env, extraFds: pin });
    await cli('keygen', '--type', 'rsa-2048', '--label', 'Certificado IDSE A064878710');
    const keys = JSON.parse((await cli('keys', '--json')).stdout);
    const csr = path.join(this.dir, 'patron.csr');
    await cli('csr', '--key', keys.keys[0].uri, '--subject', SUBJECT, '--out', csr);
    const cert = path.join(this.dir, 'patron-caducado.pem');
    await run(bin.portal, ['issue', '--state-dir', path.join(this.dir, 'portal'), '--csr', csr, '--expired', '--out', cert]);
    await cli('import-cert', '--in', cert);
  }

  get pinentryScript() { return path.join(this.dir, 'pinentry-script'); }
  get pinentryLog() { return path.join(this.dir, 'pinentry.log'); }
  get agentSocket() { return path.join(this.dir, 'agent.sock'); }

  async #startAgent() {
    const config = path.join(this.dir, 'agent-config.json');
    await writeFile(config, JSON.stringify({ allowedOrigins: [this.allowedOrigin], module: MODULE }));
    await writeFile(this.pinentryScript, '');
    const env = {
      ...this.tokenEnv,
      FIRMANTE_CONFIG: config,
      XDG_STATE_HOME: path.join(this.dir, 'state'),
      XDG_CONFIG_HOME: path.join(this.dir, 'xdg-config'),
      FIRMANTE_PINENTRY: bin.pinentry,
      FAKE_PINENTRY_SCRIPT: this.pinentryScript,
      FAKE_PINENTRY_LOG: this.pinentryLog,
      // Never the fixed default port: tests run next to each other and next to a real agent.
      FIRMANTE_WS_PORT: this.transport === 'websocket' ? 'auto' : '0',
    };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    this.agent = new Daemon('firmante-agent', bin.agent, [], { env, logPath: path.join(this.dir, 'agent.log') });
    await waitFor('the agent socket', async () => {
      if (!this.agent.running) throw new Error(`firmante-agent exited early; see ${this.agent.logPath}`);
      return socketAccepts(this.agentSocket);
    }, 15_000);
    if (this.transport === 'websocket') {
      const [info] = await callAgent(this.agentSocket, [{ method: 'agent.info' }]);
      this.wsPort = info.result?.webSocketPort;
      if (!this.wsPort) throw new Error('the agent reports no WebSocket port: ' + JSON.stringify(info));
    }
  }

  async #startBrowser() {
    const profile = path.join(this.dir, 'chromium-profile');
    const args = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
      ...(typeof this.chromiumArgs === 'function' ? this.chromiumArgs(this) : this.chromiumArgs)];
    if (this.extension) {
      // Hermetic host registration: Chromium reads <user-data-dir>/NativeMessagingHosts.
      await mkdir(path.join(profile, 'NativeMessagingHosts'), { recursive: true });
      await writeFile(path.join(profile, 'NativeMessagingHosts', 'org.firmante.agent.json'), JSON.stringify({
        name: 'org.firmante.agent',
        description: 'Firmante (e2e)',
        path: bin.nmhost,
        type: 'stdio',
        allowed_origins: [`chrome-extension://${EXTENSION_ID}/`],
      }, null, 2));
      args.unshift(`--disable-extensions-except=${EXTENSION_DIR}`, `--load-extension=${EXTENSION_DIR}`);
    }
    this.context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      ignoreDefaultArgs: ['--disable-extensions'],
      args: [...args, '--lang=es-419'],
      // firmante-nmhost inherits this: it finds our agent through FIRMANTE_SOCKET. LANGUAGE: the
      // browser's own language (extension texts, chrome.i18n) is Spanish, as a Mexican
      // employer's is, when chromium-l10n is installed; `locale` only sets what pages see.
      env: { ...this.tokenEnv, ...HOST_ENV, LANGUAGE: 'es_MX:es' },
      viewport: { width: 1000, height: 800 },
      acceptDownloads: true,
      locale: 'es-MX',
    });
    this.page = this.context.pages()[0] ?? await this.context.newPage();
    this.page.setDefaultTimeout(20_000);
    this.driver = new PlaywrightDriver(this.page);
  }

  // Firefox over WebDriver BiDi (DESIGN §6): puppeteer-core starts Debian's firefox-esr, installs
  // the unpacked Firefox build as a temporary add-on, and Firefox finds the native messaging host
  // in $HOME/.mozilla/native-messaging-hosts (a HOME of this test's own).
  async #startFirefox() {
    const home = path.join(this.dir, 'firefox-home');
    const downloads = path.join(this.dir, 'downloads');
    await mkdir(downloads, { recursive: true });
    if (this.extension) {
      const hosts = path.join(home, '.mozilla', 'native-messaging-hosts');
      await mkdir(hosts, { recursive: true });
      await writeFile(path.join(hosts, 'org.firmante.agent.json'), JSON.stringify({
        name: 'org.firmante.agent',
        description: 'Firmante (e2e)',
        path: bin.nmhost,
        type: 'stdio',
        allowed_extensions: [GECKO_ID],
      }, null, 2));
    }
    const display = {};
    if (this.headed) {
      // -displayfd: Xvfb picks a free display and prints its number once it accepts clients.
      this.xvfb = new Daemon('Xvfb', 'Xvfb', ['-displayfd', '1', '-screen', '0', `${SCREEN.width}x${SCREEN.height}x24`,
        '-nolisten', 'tcp'], { env: process.env, logPath: path.join(this.dir, 'xvfb.log') });
      this.display = `:${await this.xvfb.firstLine()}`;
      display.DISPLAY = this.display;
    }
    this.firefox = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: !this.headed,
      args: this.headed ? ['--width', String(SCREEN.width), '--height', String(SCREEN.height)] : [],
      userDataDir: path.join(this.dir, 'firefox-profile'),
      env: { ...this.tokenEnv, HOME: home, ...HOST_ENV, ...display },
      defaultViewport: { width: 1000, height: 800 },
      extraPrefsFirefox: {
        'intl.accept_languages': 'es-MX, es',
        'intl.locale.requested': 'es-MX',
        // Letters are saved, never opened: straight into the test's download folder.
        'browser.download.dir': downloads,
        'browser.download.folderList': 2,
        'browser.download.useDownloadDir': true,
        'browser.download.always_ask_before_handling_new_types': false,
        'browser.download.open_pdf_attachments_inline': false,
        'browser.helperApps.neverAsk.saveToDisk': 'application/pdf',
        'pdfjs.disabled': true,
      },
    });
    if (this.extension) await this.firefox.installExtension(FIREFOX_EXTENSION_DIR);
    this.page = (await this.firefox.pages())[0] ?? await this.firefox.newPage();
    this.page.setDefaultTimeout(20_000);
    this.driver = new PuppeteerDriver(this.page, downloads);
  }

  /** The portal URL of `pathname` as the browser should open it (with ?wsPort= on WebSocket). */
  url(pathname = '/') {
    const u = new URL(pathname, this.origin);
    if (this.wsPort) u.searchParams.set('wsPort', String(this.wsPort));
    return u.toString();
  }

  /** What the fake pinentry answers to the next questions (replaces any answers left over). */
  async answer(...lines) {
    await writeFile(this.pinentryScript, lines.map((l) => l + '\n').join(''));
  }

  /**
   * The manual's step 4 asked straight on the agent's socket for the portal's origin, as its page
   * would: renewal.begin for the token's certificate, the PIN answered. Returns the response.
   */
  async beginRenewal() {
    await this.answer(`pin ${PIN}`);
    const [certs] = await callAgent(this.agentSocket, [{ method: 'certificates.list' }]);
    const [begun] = await callAgent(this.agentSocket, [{ method: 'renewal.begin',
      params: { certificate: certs.result.certificates[0].uri } }], { origin: this.allowedOrigin, timeoutMs: 30_000 });
    return begun;
  }

  async promptsShown() {
    const text = await readFile(this.pinentryLog, 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }

  async screenshot(n, step) {
    const file = path.join(this.artefacts, `${String(n).padStart(2, '0')}-${step}.png`);
    await this.driver.screenshot(file);
    return file;
  }

  /** Logs worth reading when a step fails. */
  async diagnostics() {
    const parts = [];
    for (const d of [this.agent, this.portal]) if (d) parts.push(`--- ${d.name} ---\n${(await d.output()).slice(-6000)}`);
    parts.push(`--- pinentry log ---\n${await readFile(this.pinentryLog, 'utf8').catch(() => '')}`);
    return parts.join('\n');
  }

  async stop({ keep = false } = {}) {
    await this.context?.close().catch(() => {});
    await this.firefox?.close().catch(() => {});
    await this.xvfb?.stop();
    await this.agent?.stop();
    await this.portal?.stop();
    if (this.dir && !keep) await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Runs `body(world)` in a started World; on failure the page's screenshot goes to the artefacts
 * and the agent's and portal's logs go with the error. The world is always stopped.
 */
export async function inWorld(options, body) {
  const world = new World(options);
  try {
    await world.start();
    await body(world);
  } catch (e) {
    const logs = await world.diagnostics().catch(() => '');
    if (world.driver) await world.driver.screenshot(path.join(world.artefacts, 'failure.png')).catch(() => {});
    e.message += `\n(artefacts in ${world.artefacts})\n${logs}`;
    throw e;
  } finally {
    await world.stop();
  }
}
