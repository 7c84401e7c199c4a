// Entry point: a module service worker in Chromium, a module event-page
// script in Firefox. All logic lives in lib/ so node tests can drive it.
import { startBackground } from './lib/background-core.js';

startBackground(globalThis.browser ?? globalThis.chrome);
