#!/usr/bin/env node
// Prints the Chromium extension id derived from manifest.base.json's "key".
// The native-messaging build calls this at configure time to fill the host
// manifest's allowed_origins (chrome-extension://<id>/).
import { extensionId, EXTENSION_ROOT } from './manifest-tools.mjs';

const root = process.argv[2] ?? EXTENSION_ROOT;
try {
  process.stdout.write(extensionId(root) + '\n');
} catch (err) {
  process.stderr.write(`extension-id: ${err.message}\n`);
  process.exit(1);
}
