// Writes generated files, or with --check reports the stale ones (exit 1): the one loop of the
// tools that turn protocol/*.json into JavaScript (reasons.mjs, methods.mjs).
import { readFileSync, writeFileSync } from 'node:fs';

/** `outputs`: [file, text] pairs; `tool`: the command a developer runs to refresh them. */
export function writeOrCheck(outputs, tool, argv = process.argv) {
  const check = argv.includes('--check');
  let stale = false;
  for (const [file, text] of outputs) {
    if (!check) {
      writeFileSync(file, text);
      process.stdout.write(`wrote ${file}\n`);
    } else if (readFileSync(file, 'utf8') !== text) {
      process.stderr.write(`${file} differs from its table; run node ${tool}\n`);
      stale = true;
    }
  }
  if (stale) process.exit(1);
}
