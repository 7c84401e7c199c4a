import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, webcrypto } from 'node:crypto';
import {
  existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '../tools/build.mjs';
import {
  EXTENSION_ROOT, GECKO_ID, extensionId, extensionIdFromKey, makeManifest, readAllowlist, readBaseManifest,
} from '../tools/manifest-tools.mjs';

const TOOL = fileURLToPath(new URL('../tools/extension-id.mjs', import.meta.url));
const BUILD = fileURLToPath(new URL('../tools/build.mjs', import.meta.url));

function hasOpenssl() {
  return spawnSync('openssl', ['version']).status === 0;
}

// Independent of manifest-tools: openssl parses the key and hashes it, and the
// hex → a-p mapping is a lookup table rather than arithmetic.
async function independentId(base64Key) {
  let hex;
  const der = Buffer.from(base64Key, 'base64');
  if (hasOpenssl()) {
    // Re-encode through openssl so a "key" that is not a valid SPKI fails here.
    const reencoded = execFileSync('openssl', ['pkey', '-pubin', '-inform', 'DER', '-outform', 'DER'], { input: der });
    assert.deepEqual(reencoded, der, 'the manifest key is a canonical DER SubjectPublicKeyInfo');
    const out = execFileSync('openssl', ['dgst', '-sha256', '-hex'], { input: der }).toString();
    hex = out.trim().split(/\s+/).at(-1);
  } else {
    createPublicKey({ key: der, format: 'der', type: 'spki' });
    const digest = new Uint8Array(await webcrypto.subtle.digest('SHA-256', der));
    hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  const table = Object.fromEntries([...'0123456789abcdef'].map((c, i) => [c, 'abcdefghijklmnop'[i]]));
  return [...hex.slice(0, 32)].map((c) => table[c]).join('');
}

test('the extension id printed by extension-id.mjs matches an independent derivation from the manifest key', async () => {
  const printed = execFileSync(process.execPath, [TOOL]).toString().trim();
  assert.match(printed, /^[a-p]{32}$/);
  assert.equal(printed, await independentId(readBaseManifest().key));
  assert.equal(printed, extensionId());
});

test('the id derivation follows the key: a different key gives its own id', async () => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  assert.equal(extensionIdFromKey(key), await independentId(key));
  assert.notEqual(extensionIdFromKey(key), extensionId());
});

test('the manifest key is an RSA-2048 public key and no private key is committed', () => {
  const key = createPublicKey({ key: Buffer.from(readBaseManifest().key, 'base64'), format: 'der', type: 'spki' });
  assert.equal(key.asymmetricKeyType, 'rsa');
  assert.equal(key.asymmetricKeyDetails.modulusLength, 2048);
  // Walk the source tree rather than ask git, so the check also runs from a tarball.
  const marker = new RegExp('PRIVATE' + ' KEY-----');
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === 'node_modules' ? [] : walk(join(dir, e.name))) : [join(dir, e.name)]);
  for (const file of walk(EXTENSION_ROOT)) {
    assert.doesNotMatch(readFileSync(file, 'latin1'), marker, file);
  }
});

test('the chromium manifest declares a module service worker, the key and the allowlist matches', () => {
  const m = makeManifest(readBaseManifest(), readAllowlist(), 'chromium');
  assert.equal(m.manifest_version, 3);
  assert.deepEqual(m.background, { service_worker: 'background.js', type: 'module' });
  assert.equal(m.key, readBaseManifest().key);
  assert.equal(m.browser_specific_settings, undefined);
  assert.deepEqual(m.permissions, ['nativeMessaging']);
  assert.deepEqual(m.content_scripts[0].matches, readAllowlist().matches);
  assert.deepEqual(m.content_scripts[0].js, ['content/content-script.js']);
});

test('the firefox manifest declares background scripts and the gecko id', () => {
  const m = makeManifest(readBaseManifest(), readAllowlist(), 'firefox');
  assert.deepEqual(m.background.scripts, ['background.js']);
  assert.equal(m.background.service_worker, undefined);
  assert.equal(m.browser_specific_settings.gecko.id, GECKO_ID);
  assert.equal(GECKO_ID, 'firmante@firmante.org');
  assert.deepEqual(m.content_scripts, makeManifest(readBaseManifest(), readAllowlist(), 'chromium').content_scripts);
  assert.equal(m.action.default_area, 'navbar', 'the button on the toolbar, not in the extensions menu');
});

test('both browsers open the popup from the keyboard (Alt+Shift+F), and only Firefox gets default_area', () => {
  for (const target of ['chromium', 'firefox']) {
    const m = makeManifest(readBaseManifest(), readAllowlist(), target);
    assert.equal(m.commands._execute_action.suggested_key.default, 'Alt+Shift+F', target);
  }
  assert.equal(makeManifest(readBaseManifest(), readAllowlist(), 'chromium').action.default_area, undefined);
});

test('an unknown target is refused', () => {
  assert.throws(() => makeManifest(readBaseManifest(), readAllowlist(), 'safari'), /unknown target/);
});

test('build.mjs emits a complete unpacked extension for both browsers', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'firmante-ext-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const target of ['chromium', 'firefox']) {
    const out = join(dir, target);
    execFileSync(process.execPath, [BUILD, '--target', target, '--out', out]);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.equal(manifest.manifest_version, 3);
    const files = [
      'background.js', 'lib/background-core.js', 'content/content-script.js', 'popup/popup.html',
      'popup/popup.js', 'popup/popup.css', 'allowlist.json', '_locales/es_MX/messages.json', '_locales/en/messages.json',
    ];
    for (const f of files) assert.ok(existsSync(join(out, f)), `${target}: ${f}`);
    assert.ok(existsSync(join(out, '_locales', manifest.default_locale, 'messages.json')), 'default locale exists');
    // Every __MSG_x__ the manifest uses is defined in every locale.
    const used = [...JSON.stringify(manifest).matchAll(/__MSG_(\w+)__/g)].map((m) => m[1]);
    for (const locale of ['es_MX', 'en']) {
      const messages = JSON.parse(readFileSync(join(out, '_locales', locale, 'messages.json'), 'utf8'));
      for (const name of used) assert.ok(messages[name]?.message, `${locale} defines ${name}`);
    }
    // Files the manifest references exist.
    const referenced = [manifest.action.default_popup, ...manifest.content_scripts.flatMap((c) => c.js),
      manifest.background.service_worker ?? manifest.background.scripts[0],
      ...Object.values(manifest.icons), ...Object.values(manifest.action.default_icon)];
    for (const f of referenced) assert.ok(existsSync(join(out, f)), `${target}: referenced ${f}`);
    // Issue 14: a real icon at every size both browsers ask for, not a grey tile or a puzzle piece.
    assert.deepEqual(Object.keys(manifest.icons), ['16', '32', '48', '128'], `${target}: icon sizes`);
    for (const [size, f] of Object.entries(manifest.icons)) {
      const png = readFileSync(join(out, f));
      assert.equal(png.subarray(1, 4).toString(), 'PNG', `${target}: ${f} is a PNG`);
      assert.equal(png.readUInt32BE(16), Number(size), `${target}: ${f} is ${size} px wide`);
      assert.equal(png.readUInt32BE(20), Number(size), `${target}: ${f} is ${size} px high`);
    }
  }
  // Re-running over an earlier build is fine.
  execFileSync(process.execPath, [BUILD, '--target', 'chromium', '--out', join(dir, 'chromium')]);
});

test('build.mjs refuses to overwrite a directory that is not an extension build', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'firmante-ext-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'precious'));
  writeFileSync(join(dir, 'precious', 'notes.txt'), 'keep me');
  assert.throws(() => build({ target: 'chromium', out: join(dir, 'precious') }), /refusing/);
  assert.equal(readFileSync(join(dir, 'precious', 'notes.txt'), 'utf8'), 'keep me');
});
