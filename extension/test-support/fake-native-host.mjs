// A stand-in for firmante-nmhost + agent for browser smoke tests: speaks
// native messaging (4-byte native-endian length + UTF-8 JSON) on stdin/stdout,
// answers agent.info with protocol 1, echoes other requests with the origin
// the extension attached, and sends tokens.changed before answering tokens.list. Logs to stderr only (stdout belongs to the protocol).
let buffer = Buffer.alloc(0);

function send(obj) {
  const body = Buffer.from(JSON.stringify(obj), 'utf8');
  const header = Buffer.alloc(4);
  // Native endianness: x86-64 and arm64 Linux are little-endian.
  header.writeUInt32LE(body.length, 0);
  process.stdout.write(Buffer.concat([header, body]));
}

function handle(msg) {
  if (msg.method === 'agent.info') {
    send({ jsonrpc: '2.0', id: msg.id, result: { version: '0.0.0-fake', protocolVersion: 1, origin: msg.origin ?? null } });
    return;
  }
  if (msg.method === 'tokens.list') {
    // A notification first, so a page can wait for it deterministically.
    send({ jsonrpc: '2.0', method: 'tokens.changed', params: { fake: true } });
    send({ jsonrpc: '2.0', id: msg.id, result: { tokens: [{ uri: 'pkcs11:token=Fake', label: 'Fake token', pinLocked: false }] } });
    return;
  }
  if (msg.method === 'renewal.status') {
    send({ jsonrpc: '2.0', id: msg.id, result: { renewals: [] } });
    return;
  }
  send({ jsonrpc: '2.0', id: msg.id, result: { echo: { method: msg.method, params: msg.params, origin: msg.origin } } });
}

process.stdin.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  while (buffer.length >= 4) {
    const len = buffer.readUInt32LE(0);
    if (buffer.length < 4 + len) return;
    const msg = JSON.parse(buffer.subarray(4, 4 + len).toString('utf8'));
    buffer = buffer.subarray(4 + len);
    process.stderr.write(`fake-native-host: ${msg.method}\n`);
    handle(msg);
  }
});
process.stdin.on('end', () => process.exit(0));
