// The page API as portals get it: firmante.js built from page-api/src/ by tools/page-api.mjs
// (a build output, not committed), once per test process, in a folder removed at exit. Tests
// import the built file, so they test what portals ship, not only its modules.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeBundle } from '../tools/page-api.mjs';

const dir = mkdtempSync(join(tmpdir(), 'firmante-page-api-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** The built firmante.js. */
export const PAGE_API_FILE = writeBundle(dir);
/** Its file: URL, for import(). */
export const PAGE_API_URL = pathToFileURL(PAGE_API_FILE).href;
