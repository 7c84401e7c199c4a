// A minimal client of the agent's Unix socket (4-byte native-endian length + JSON, hello first):
// the test asks the agent things a person's browser does not, e.g. which WebSocket port it took.
import net from 'node:net';
import os from 'node:os';

function frame(object) {
  const body = Buffer.from(JSON.stringify(object), 'utf8');
  const head = Buffer.alloc(4);
  if (os.endianness() === 'LE') head.writeUInt32LE(body.length); else head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

/**
 * Sends the hello and then each request in turn; resolves to their responses. `origin`: the
 * hello attests it, as the CLI does when it acts for a portal (`firmante renew --portal`).
 */
export function callAgent(socketPath, requests, { timeoutMs = 10_000, origin } = {}) {
  const hello = { transport: 'cli', client: 'firmante-e2e/0.1.0', protocolVersion: 1 };
  if (origin) hello.origin = origin;
  const all = [
    { jsonrpc: '2.0', id: 'hello', method: 'transport.hello', params: hello },
    ...requests.map((r, i) => ({ jsonrpc: '2.0', id: i + 1, params: {}, ...r })),
  ];
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const responses = [];
    let buffer = Buffer.alloc(0);
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('agent did not answer in time')); }, timeoutMs);
    socket.on('connect', () => socket.write(frame(all[0])));
    socket.on('error', (e) => { clearTimeout(timer); reject(e); });
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 4) {
        const length = os.endianness() === 'LE' ? buffer.readUInt32LE(0) : buffer.readUInt32BE(0);
        if (buffer.length < 4 + length) break;
        const message = JSON.parse(buffer.subarray(4, 4 + length).toString('utf8'));
        buffer = buffer.subarray(4 + length);
        if (message.id === undefined || message.id === null) continue; // a notification
        responses.push(message);
        if (responses.length === all.length) {
          clearTimeout(timer);
          socket.end();
          resolve(responses.slice(1));
          return;
        }
        socket.write(frame(all[responses.length]));
      }
    });
  });
}
