// One table of reasons (issue 10): protocol/reasons.json. The page API's table (src/reasons.js)
// and its FirmanteReason type are generated from it; every word the extension and the page API
// raise must be in it, so a page can look any of them up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REASONS_JS, TYPES, readTable, reasonsModule, typesWithUnion } from '../tools/reasons.mjs';
import { FirmanteError, REASONS } from '../page-api/firmante.js';

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

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.js') && entry.name !== 'firmante.js' && entry.name !== 'reasons.js' ? [path] : [];
  });
}

test('every reason word the extension and the page API raise is in the table', () => {
  const raised = new Map();
  // The shapes that raise or compare a reason: reason: 'X', reason === 'X', ('X', …) errors.
  const shapes = [/reason\s*(?:[:=]|===|!==|\?\?)\s*'([A-Z][A-Z_]{3,})'/g,
    /(?:LinkError|FirmanteError|errorResponse|fail)\([^)]*?'([A-Z][A-Z_]{3,})'/g,
    /LINK_REASONS = new Set\(\[([^\]]*)\]/g];
  for (const file of [...sources(join(EXTENSION, 'src')), ...sources(join(EXTENSION, 'page-api', 'src'))]) {
    const text = readFileSync(file, 'utf8');
    for (const shape of shapes) {
      for (const match of text.matchAll(shape)) {
        for (const [word] of match[1].matchAll(/[A-Z][A-Z_]{3,}/g)) raised.set(word, file);
      }
    }
  }
  assert.ok(raised.size >= 8, `the scan found only ${[...raised.keys()]}: the shapes above no longer match`);
  for (const [word, file] of raised) assert.ok(word in REASONS, `${file} raises ${word}, which protocol/reasons.json lacks`);
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
