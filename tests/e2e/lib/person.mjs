// What a person sees next to a control (issue 14): the busy note while Firmante's window waits and
// the error box after it. Shared by the tests of errors, the agent dying, and Local Network Access.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';

import { waitFor } from './processes.mjs';

/**
 * The boxes avisos.js puts after a control's row: { busy, error, disabled, ariaBusy, inView }.
 * `inView`: the error box lies wholly inside the window, so the person sees it without scrolling.
 */
export function controlState(d, selector) {
  return d.evaluate((sel) => {
    const control = document.querySelector(sel);
    const anchor = control.closest('p') || control;
    const busy = anchor.nextElementSibling?.classList.contains('ocupado') ? anchor.nextElementSibling : null;
    const error = busy?.nextElementSibling?.classList.contains('error-control') ? busy.nextElementSibling : null;
    const shown = (e) => Boolean(e && !e.classList.contains('oculto') && e.offsetParent !== null);
    const box = error?.getBoundingClientRect();
    return {
      busy: shown(busy) ? busy.innerText : null,
      error: shown(error) ? error.innerText : null,
      disabled: control.disabled,
      ariaBusy: control.getAttribute('aria-busy'),
      inView: Boolean(box && box.top >= 0 && box.bottom <= window.innerHeight),
      pageWideError: shown(document.getElementById('error')) ? document.getElementById('error').innerText : null,
    };
  }, selector);
}

/** Waits until the error box next to `selector` shows; returns the control's state then. */
export async function errorNextTo(d, selector, timeout = 20_000) {
  await d.waitUntil((sel) => {
    const control = document.querySelector(sel);
    const anchor = control.closest('p') || control;
    const error = anchor.nextElementSibling?.nextElementSibling;
    return Boolean(error && error.classList.contains('error-control') && !error.classList.contains('oculto'));
  }, selector, timeout);
  return controlState(d, selector);
}

/**
 * The fake pinentry's "hold": the prompt is open (the person is looking at Firmante's window)
 * until `release()`. Resolves once the prompt is on screen.
 */
export async function promptOpen(world) {
  const held = world.pinentryScript + '.held';
  await waitFor('the agent\'s prompt to open', () => existsSync(held), 20_000);
  return { release: () => writeFile(world.pinentryScript + '.release', '') };
}
