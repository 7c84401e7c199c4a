#!/usr/bin/env node
// Emits the unpacked extension for one browser:
//   node extension/tools/build.mjs --target chromium|firefox --out DIR
// The output is loadable as is (chrome://extensions → Load unpacked, or
// about:debugging → Load Temporary Add-on → DIR/manifest.json).
import {
  cpSync, existsSync, mkdirSync, readdirSync, realpathSync, rmSync, writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  EXTENSION_ROOT, TARGETS, makeManifest, readAllowlist, readBaseManifest,
} from './manifest-tools.mjs';

export function build({ target, out, root = EXTENSION_ROOT }) {
  const manifest = makeManifest(readBaseManifest(root), readAllowlist(root), target);
  const dest = resolve(out);
  if (existsSync(dest)) {
    // Only ever wipe a directory that is empty or an earlier build output, so a
    // mistyped --out cannot delete something else.
    const entries = readdirSync(dest);
    if (entries.length > 0 && !entries.includes('manifest.json')) {
      throw new Error(`${dest} is not empty and is not an extension build; refusing to overwrite`);
    }
    rmSync(dest, { recursive: true, force: true });
  }
  mkdirSync(dest, { recursive: true });
  cpSync(join(root, 'src'), dest, { recursive: true });
  // The popup lists the allowed sites from the same file the manifest used.
  cpSync(join(root, 'allowlist.json'), join(dest, 'allowlist.json'));
  writeFileSync(join(dest, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return { dest, manifest };
}

function main() {
  const { values } = parseArgs({
    options: { target: { type: 'string' }, out: { type: 'string' } },
  });
  if (!TARGETS.includes(values.target) || !values.out) {
    process.stderr.write(`usage: build.mjs --target ${TARGETS.join('|')} --out DIR\n`);
    process.exit(2);
  }
  const { dest } = build({ target: values.target, out: values.out });
  process.stdout.write(`${values.target} extension written to ${dest}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`build: ${err.message}\n`);
    process.exit(1);
  }
}
