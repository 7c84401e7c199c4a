// The page API is written as small modules (page-api/src/) and shipped as one file portals include
// (firmante.js), built by tools/page-api.mjs (a build output, not committed). These tests hold the
// built file to the modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PAGE_API_DIR, generate } from '../tools/page-api.mjs';
import { PAGE_API_FILE, PAGE_API_URL } from '../test-support/page-api-bundle.mjs';

const SRC = join(PAGE_API_DIR, 'src');
const TOOL = fileURLToPath(new URL('../tools/page-api.mjs', import.meta.url));

function scratchCopy(t) {
  const dir = mkdtempSync(join(tmpdir(), 'page-api-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(SRC, dir, { recursive: true });
  return dir;
}

test('node tools/page-api.mjs --out DIR writes DIR/firmante.js, the generated text', (t) => {
  const out = mkdtempSync(join(tmpdir(), 'page-api-out-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const r = spawnSync(process.execPath, [TOOL, '--out', join(out, 'static')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(join(out, 'static', 'firmante.js'), 'utf8'), generate());
  assert.equal(readFileSync(PAGE_API_FILE, 'utf8'), generate());
});

test('the built file is not in the tree: the modules are the one copy', () => {
  const ignored = spawnSync('git', ['check-ignore', '-q', 'firmante.js'], { cwd: PAGE_API_DIR });
  if (ignored.error) return;  // not a git checkout (an unpacked source tarball)
  assert.equal(ignored.status, 0, 'extension/page-api/firmante.js must be ignored by git');
});

test('a change in any module changes the generated file', (t) => {
  const dir = scratchCopy(t);
  const file = join(dir, 'connect.js');
  writeFileSync(file, readFileSync(file, 'utf8').replace('timeoutMs = 5_000', 'timeoutMs = 6_000'));
  assert.notEqual(generate(dir), generate());
});

test('the one file exports exactly what the modules export through src/index.js, and the typed names', async () => {
  const single = await import(PAGE_API_URL);
  const modules = await import(pathToFileURL(join(SRC, 'index.js')).href);
  assert.deepEqual(Object.keys(single).sort(), Object.keys(modules).sort());
  // Every value the type declarations promise is there (types and interfaces have no value).
  const typed = [...readFileSync(join(PAGE_API_DIR, 'firmante.d.ts'), 'utf8')
    .matchAll(/^export (?:const|class|function) ([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]);
  assert.deepEqual([...new Set(typed)].sort(), Object.keys(single).filter((k) => k !== 'default').sort());
  assert.equal(single.default, single.Firmante);
  assert.deepEqual(Object.keys(single.Firmante).sort(), Object.keys(modules.Firmante).sort());
});

test('module-private helpers stay private in the one file', async () => {
  const single = await import(PAGE_API_URL);
  for (const name of ['invalid', 'checkArgs', 'isPrompting', 'LINK_REASONS', 'EXTENSION_ATTRIBUTE', 'asBytes']) {
    assert.equal(name in single, false, name);
  }
});

test('the generator refuses an import from outside the modules and a re-export nobody declares', (t) => {
  const dir = scratchCopy(t);
  const client = join(dir, 'client.js');
  const original = readFileSync(client, 'utf8');
  writeFileSync(client, "import { x } from './elsewhere.js';\n" + original);
  assert.throws(() => generate(dir), /client\.js imports elsewhere\.js/);
  writeFileSync(client, original);
  const index = join(dir, 'index.js');
  writeFileSync(index, readFileSync(index, 'utf8').replace('export { connect, request }', 'export { connect, request, ghost }'));
  assert.throws(() => generate(dir), /re-exports ghost, which no module declares/);
});
