// Shared by build.mjs, extension-id.mjs and the tests: the one place where the
// extension id is derived and the per-browser manifest is produced.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const EXTENSION_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const GECKO_ID = 'firmante@firmante.org';
export const FIREFOX_MIN_VERSION = '128.0';
export const TARGETS = ['chromium', 'firefox'];

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export function readBaseManifest(root = EXTENSION_ROOT) {
  return readJson(join(root, 'manifest.base.json'));
}

export function readAllowlist(root = EXTENSION_ROOT) {
  const allowlist = readJson(join(root, 'allowlist.json'));
  if (!Array.isArray(allowlist.matches) || allowlist.matches.length === 0 ||
      !allowlist.matches.every((m) => typeof m === 'string' && m.length > 0)) {
    throw new Error('allowlist.json: "matches" must be a non-empty array of match patterns');
  }
  return allowlist;
}

// Chromium derives an unpacked extension's id from the manifest "key" (base64
// DER SubjectPublicKeyInfo): SHA-256 of the DER, first 128 bits, each hex digit
// 0-f written as a letter a-p.
export function extensionIdFromKey(base64Key) {
  if (typeof base64Key !== 'string' || base64Key.length === 0) {
    throw new Error('manifest has no "key"');
  }
  const der = Buffer.from(base64Key, 'base64');
  const hex = createHash('sha256').update(der).digest('hex').slice(0, 32);
  return [...hex].map((c) => String.fromCharCode('a'.charCodeAt(0) + parseInt(c, 16))).join('');
}

export function extensionId(root = EXTENSION_ROOT) {
  return extensionIdFromKey(readBaseManifest(root).key);
}

// One source, two browsers: only the background declaration and the gecko
// settings differ. Content-script matches come from allowlist.json.
export function makeManifest(base, allowlist, target) {
  if (!TARGETS.includes(target)) {
    throw new Error(`unknown target "${target}" (expected ${TARGETS.join(' or ')})`);
  }
  const manifest = structuredClone(base);
  manifest.content_scripts = manifest.content_scripts.map((cs) => ({
    ...cs,
    matches: [...allowlist.matches],
  }));
  if (target === 'chromium') {
    manifest.background = { service_worker: 'background.js', type: 'module' };
  } else {
    // Firefox has no extension service workers; an event page with module
    // scripts runs the same background.js.
    manifest.background = { scripts: ['background.js'], type: 'module' };
    manifest.browser_specific_settings = {
      gecko: {
        id: GECKO_ID,
        strict_min_version: FIREFOX_MIN_VERSION,
        // Nothing leaves the machine except to the local agent.
        data_collection_permissions: { required: ['none'] },
      },
    };
    // Firefox ignores "key"; the gecko id is what its native-messaging host
    // manifest lists in allowed_extensions.
    delete manifest.key;
    // Firefox hides an extension's button in its extensions menu unless told otherwise (issue 14:
    // the person should see Firmante's icon, as in Chromium once pinned).
    manifest.action.default_area = 'navbar';
  }
  return manifest;
}
