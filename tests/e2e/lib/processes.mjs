// Child processes for the end-to-end world: run a program to completion, start a long-running
// one with its output in a file, and wait for a condition with a deadline (never a bare sleep).
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';

/**
 * Runs `program args` to completion. `input` goes to stdin, `extraFds` maps a descriptor number
 * (3, 4, …) to text written on a pipe (how `--pin-fd 3` gets its PIN). Rejects on a non-zero exit.
 */
export function run(program, args, { env, input, extraFds = {}, timeoutMs = 60_000 } = {}) {
  const fdNumbers = Object.keys(extraFds).map(Number);
  const highest = fdNumbers.length ? Math.max(...fdNumbers) : 2;
  const stdio = [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'];
  for (let fd = 3; fd <= highest; fd++) stdio.push(fdNumbers.includes(fd) ? 'pipe' : 'ignore');
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env, stdio });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${program} ${args.join(' ')} → ${code ?? signal}\n${stderr}${stdout}`));
    });
    // A program may exit without reading what we offer it (EPIPE): its exit status is what counts.
    const offer = (stream, text) => { stream.on('error', () => {}); stream.end(text); };
    for (const fd of fdNumbers) offer(child.stdio[fd], extraFds[fd]);
    if (input !== undefined) offer(child.stdin, input);
  });
}

/** A long-running child whose stdout/stderr go to `logPath`; `stop()` ends it by its own pid. */
export class Daemon {
  constructor(name, program, args, { env, logPath }) {
    this.name = name;
    this.logPath = logPath;
    this.log = createWriteStream(logPath, { flags: 'a' });
    this.child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
    this.stdoutText = '';
    this.child.stdout.on('data', (d) => { this.stdoutText += d; this.log.write(d); });
    this.child.stderr.on('data', (d) => this.log.write(d));
    this.child.on('error', (e) => this.log.write(`spawn error: ${e.message}\n`));
  }

  get running() { return this.child.exitCode === null && this.child.signalCode === null; }

  /** Resolves to the first stdout line, or rejects if the process leaves first. */
  async firstLine(timeoutMs = 15_000) {
    await waitFor(`${this.name}'s first output line`, () => {
      if (!this.running && !this.stdoutText.includes('\n')) throw new Error(`${this.name} exited early; see ${this.logPath}`);
      return this.stdoutText.includes('\n');
    }, timeoutMs);
    return this.stdoutText.split('\n')[0].trim();
  }

  async stop() {
    if (this.running) {
      this.child.kill('SIGTERM');
      const killer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await this.exited;
      clearTimeout(killer);
    }
    await new Promise((resolve) => this.log.end(resolve));
  }

  async output() { return readFile(this.logPath, 'utf8').catch(() => ''); }
}

/** Polls `check` (sync or async, truthy = done) every 50 ms until `timeoutMs`. */
export async function waitFor(what, check, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      if (/exited early/.test(e.message)) throw e;
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ': ' + lastError.message : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True when a Unix socket at `path` accepts a connection. */
export function socketAccepts(path) {
  return new Promise((resolve) => {
    const s = net.connect(path);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}
