// Issue 14: the Firefox popup as a person opens it. WebDriver BiDi may not open
// moz-extension://…/popup.html, so Firefox runs headed on a private Xvfb display, the toolbar
// shortcut (Alt+Shift+F, the manifest's _execute_action) is pressed with xdotool, and the screen
// is grabbed with ImageMagick. The agent's log says what the popup asked (and that nobody was
// asked about it); the screen says that a panel opened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';

import { waitFor } from '../lib/processes.mjs';
import { inWorld } from '../lib/world.mjs';

const TOOLS = ['Xvfb', 'xdotool', 'import', 'compare'];
const missing = TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);

/** Runs an X client on the world's display; returns { status, stdout, stderr }. */
function x(world, program, args) {
  const r = spawnSync(program, args, { env: { ...process.env, DISPLAY: world.display }, encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw r.error;
  return r;
}

function grab(world, file) {
  const r = x(world, 'import', ['-window', 'root', file]);
  assert.equal(r.status, 0, r.stderr);
  return file;
}

/** Pixels that differ between two grabs (ImageMagick's absolute-error count, 2 % fuzz). */
function differingPixels(world, a, b) {
  const r = x(world, 'compare', ['-metric', 'AE', '-fuzz', '2%', a, b, 'null:']);
  const count = Number.parseFloat(r.stderr);
  assert.ok(Number.isFinite(count), `compare said: ${r.stderr}`);
  return count;
}

test('the Firefox popup opened from the toolbar shows the agent and the renewal, and nobody is asked about it',
  { skip: missing.length > 0 && `needs ${missing.join(', ')} (installer/quickstart PACKAGES)` }, async () => {
    await inWorld({ transport: 'native-messaging', browser: 'firefox', headed: true, name: 'person-firefox-popup' },
      async (world) => {
        const begun = await world.beginRenewal();
        assert.ok(begun.result?.renewalId, JSON.stringify(begun));
        const promptsBefore = (await world.promptsShown()).length;
        await world.driver.goto(world.url('/'));
        await world.driver.waitUntil(() => document.documentElement.dataset.firmanteExtension === '1');

        const before = grab(world, path.join(world.dir, 'before.png'));
        const windows = x(world, 'xdotool', ['search', '--onlyvisible', '--class', 'firefox']);
        const id = windows.stdout.trim().split('\n').filter(Boolean).at(-1);
        assert.ok(id, 'a Firefox window is on the screen: ' + windows.stderr);
        assert.equal(x(world, 'xdotool', ['windowfocus', id]).status, 0);
        assert.equal(x(world, 'xdotool', ['key', '--clearmodifiers', 'alt+shift+f']).status, 0);

        // The popup ran: its status calls reached the agent from the add-on's own origin.
        const extensionCalled = (method) => new RegExp(`${method.replace('.', '\\.')} from moz-extension://[0-9a-f-]{36}`);
        await waitFor('the popup\'s calls to the agent', async () => extensionCalled('renewal.status').test(await world.agent.output()), 20_000);
        // And a person sees it: a panel changed the screen, and it stopped changing (drawn).
        let last = before;
        let n = 0;
        const shown = await waitFor('the popup drawn on the screen', () => {
          const now = grab(world, path.join(world.dir, `after-${++n}.png`));
          const settled = differingPixels(world, before, now) > 20_000 && differingPixels(world, last, now) === 0;
          last = now;
          return settled && now;
        }, 20_000);
        const changed = differingPixels(world, before, shown);
        assert.ok(changed > 20_000, `the popup covers ${changed} px`);
        await copyFile(shown, path.join(world.artefacts, '01-popup-firefox.png'));

        assert.equal((await world.promptsShown()).length, promptsBefore, 'no question to the person about the popup');
        const log = await world.agent.output();
        assert.match(log, extensionCalled('tokens.list'));
        assert.doesNotMatch(log, /origin refused|moz-extension:\/\/[^ ]* (?:asked|refused)/);
      });
  });
