// One table of reasons (issue 10): protocol/reasons.json. The page API's table (src/reasons.js)
// and its FirmanteReason type are generated from it; every word the extension and the page API
// raise must be in it, so a page can look any of them up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  EXTENSION_WORDS_JS, REASONS_JS, TYPES, extensionWordsModule, readTable, reasonsModule, typesWithUnion,
} from '../tools/reasons.mjs';
import { WORDS as EXTENSION_WORDS } from '../src/lib/reason-words.js';
import { PAGE_API_URL } from '../test-support/page-api-bundle.mjs';
const { FirmanteError, REASONS } = await import(PAGE_API_URL);

const EXTENSION = join(REASONS_JS, '..', '..', '..');

test('the committed reasons.js and FirmanteReason are what tools/reasons.mjs generates from reasons.json', () => {
  assert.equal(readFileSync(REASONS_JS, 'utf8'), reasonsModule(),
    'reasons.js is stale: run node extension/tools/reasons.mjs, then node extension/tools/page-api.mjs');
  const types = readFileSync(TYPES, 'utf8');
  assert.equal(types, typesWithUnion(types), 'firmante.d.ts is stale: run node extension/tools/reasons.mjs');
});

test('a word added to the table changes both generated files, so drift is caught', () => {
  const table = [...readTable(), { word: 'NEW_WORD', code: -32000, retriable: false, from: 'agent', es: 'x', en: 'x' }];
  assert.notEqual(reasonsModule(table), readFileSync(REASONS_JS, 'utf8'));
  const types = readFileSync(TYPES, 'utf8');
  assert.match(typesWithUnion(types, table), /'NEW_WORD'/);
});

const GENERATED = new Set(['firmante.js', 'reasons.js', 'reason-words.js']);
// The content script is a classic script (manifest content scripts cannot be ES modules): it
// cannot import the words, so it spells the three it raises, and the scan below checks them.
const CLASSIC_SCRIPTS = new Set(['content-script.js']);

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.js') && !GENERATED.has(entry.name) ? [path] : [];
  });
}

const SOURCES = [...sources(join(EXTENSION, 'src')), ...sources(join(EXTENSION, 'page-api', 'src'))];

test('the extension and the page API spell no reason word: they name it, WORDS.X', () => {
  const spelled = [];
  for (const file of SOURCES) {
    if (CLASSIC_SCRIPTS.has(file.split('/').pop())) continue;
    for (const [, word] of readFileSync(file, 'utf8').matchAll(/'([A-Z][A-Z_]{3,})'/g)) {
      if (word in REASONS) spelled.push(`${file}: '${word}'`);
    }
  }
  assert.deepEqual(spelled, [], 'use WORDS.X (lib/reason-words.js, page-api/src/reasons.js) instead');
});

test('every reason word the extension and the page API raise or name is in the table', () => {
  const raised = new Map();
  // WORDS.X in the modules; in the classic content script the shapes that raise a reason.
  const shapes = [/WORDS\.([A-Za-z_]+)/g, /(?:fail)\([^)]*?'([A-Z][A-Z_]{3,})'/g];
  for (const file of SOURCES) {
    const text = readFileSync(file, 'utf8');
    for (const shape of shapes) {
      for (const match of text.matchAll(shape)) raised.set(match[1], file);
    }
  }
  assert.ok(raised.size >= 10, `the scan found only ${[...raised.keys()]}: the shapes above no longer match`);
  for (const [word, file] of raised) assert.ok(word in REASONS, `${file} raises ${word}, which protocol/reasons.json lacks`);
});

test('the extension\'s words are the table\'s', () => {
  for (const [name, word] of Object.entries(EXTENSION_WORDS)) {
    assert.equal(name, word);
    assert.ok(word in REASONS, word);
  }
  assert.equal(readFileSync(EXTENSION_WORDS_JS, 'utf8'), extensionWordsModule(),
    'src/lib/reason-words.js is stale: run node extension/tools/reasons.mjs');
});

test('FirmanteError carries retriable from the agent, else from the table', () => {
  const wire = FirmanteError.fromJsonRpc({ code: -32000, message: 'x', data: { reason: 'PIN_INCORRECT', retriable: true } });
  assert.equal(wire.retriable, true);
  assert.equal(new FirmanteError('x', { reason: 'AGENT_NOT_RUNNING' }).retriable, true);
  assert.equal(new FirmanteError('x', { reason: 'PIN_LOCKED' }).retriable, false);
  assert.equal(new FirmanteError('x', { reason: 'SOMETHING_NEW' }).retriable, false);
  // A bare JSON-RPC error from another server: the word is the one its code has in the table.
  assert.equal(FirmanteError.fromJsonRpc({ code: -32601, message: 'x' }).reason, 'METHOD_NOT_FOUND');
});
