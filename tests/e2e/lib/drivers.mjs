// The few things the end-to-end story does with a browser, for both engines: Chromium through
// playwright-core (CDP) and Firefox through puppeteer-core (WebDriver BiDi, no geckodriver).
// One small interface so the twelve steps are written once; every wait has a deadline.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import { waitFor } from './processes.mjs';

const STEP_MS = 20_000;

/** What both drivers share: everything that is plain page JavaScript. */
class Driver {
  constructor(page) {
    this.page = page;
  }

  evaluate(fn, arg) { return this.page.evaluate(fn, arg); }

  text(selector) { return this.evaluate((s) => document.querySelector(s)?.innerText ?? '', selector); }

  value(selector) { return this.evaluate((s) => document.querySelector(s)?.value ?? null, selector); }

  count(selector) { return this.evaluate((s) => document.querySelectorAll(s).length, selector); }

  isVisible(selector) {
    return this.evaluate((s) => {
      const el = document.querySelector(s);
      return Boolean(el && !el.classList.contains('oculto') && el.offsetParent !== null);
    }, selector);
  }

  /** Clicks the first `selector` element whose text includes `text` (a link or button). */
  async clickText(selector, text) {
    await this.waitUntil(([s, t]) => [...document.querySelectorAll(s)].some((e) => e.innerText.includes(t)),
      [selector, text]);
    await this.evaluate(([s, t]) => [...document.querySelectorAll(s)].find((e) => e.innerText.includes(t)).click(),
      [selector, text]);
  }

  screenshot(file) { return this.page.screenshot({ path: file, fullPage: true }); }

  /** Resolves with the first response whose URL includes `part` (its JSON via `.json()`). */
  waitForResponse(part) { return this.page.waitForResponse((r) => r.url().includes(part)); }
}

export class PlaywrightDriver extends Driver {
  name = 'chromium';

  goto(url) { return this.page.goto(url); }

  click(selector) { return this.page.click(selector, { timeout: STEP_MS }); }

  fill(selector, value) { return this.page.fill(selector, value, { timeout: STEP_MS }); }

  select(selector, value) { return this.page.selectOption(selector, value, { timeout: STEP_MS }); }

  waitVisible(selector, timeout = STEP_MS) { return this.page.locator(selector).waitFor({ state: 'visible', timeout }); }

  waitUntil(fn, arg, timeout = STEP_MS) { return this.page.waitForFunction(fn, arg, { timeout }); }

  async download(click) {
    const [dl] = await Promise.all([this.page.waitForEvent('download', { timeout: STEP_MS }), click()]);
    return { bytes: await readFile(await dl.path()), fileName: dl.suggestedFilename() };
  }
}

export class PuppeteerDriver extends Driver {
  name = 'firefox';

  /** @param {string} downloadDir  the folder the browser's preferences save downloads into */
  constructor(page, downloadDir) {
    super(page);
    this.downloadDir = downloadDir;
  }

  goto(url) { return this.page.goto(url); }

  click(selector) { return this.page.locator(selector).setTimeout(STEP_MS).click(); }

  fill(selector, value) { return this.page.locator(selector).setTimeout(STEP_MS).fill(value); }

  async select(selector, value) {
    await this.waitVisible(selector);
    await this.page.select(selector, value);
  }

  waitVisible(selector, timeout = STEP_MS) { return this.page.waitForSelector(selector, { visible: true, timeout }); }

  waitUntil(fn, arg, timeout = STEP_MS) { return this.page.waitForFunction(fn, { timeout, polling: 50 }, arg); }

  // Firefox saves downloads straight into downloadDir (set in the profile's preferences); a
  // download is done when its name appears and no ".part" file is left.
  async download(click) {
    await mkdir(this.downloadDir, { recursive: true });
    const before = new Set(await readdir(this.downloadDir));
    await click();
    const name = await waitFor('the download', async () => {
      const now = await readdir(this.downloadDir);
      if (now.some((f) => f.endsWith('.part'))) return null;
      return now.find((f) => !before.has(f)) ?? null;
    }, STEP_MS);
    return { bytes: await readFile(path.join(this.downloadDir, name)), fileName: name };
  }
}
