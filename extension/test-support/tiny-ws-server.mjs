// A minimal RFC 6455 server for tests (node 20 ships a WebSocket client but no
// server): node:http upgrade, the accept-key handshake, and text, close and
// ping frames. Loopback only, port 0.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function frame(opcode, payload) {
  const len = payload.length;
  let header;
  if (len < 126) {
    header = Buffer.from([0x80 | opcode, len]);
  } else if (len < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(len, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([header, payload]);
}

class Connection {
  #socket;
  #buffer = Buffer.alloc(0);
  #fragments = [];
  closed = false;

  constructor(socket, request, onText) {
    this.#socket = socket;
    this.request = request;
    this.onText = onText;
    socket.on('data', (chunk) => this.#onData(chunk));
    socket.on('close', () => { this.closed = true; });
    socket.on('error', () => {});
  }

  sendText(text) {
    if (!this.closed) this.#socket.write(frame(0x1, Buffer.from(text, 'utf8')));
  }

  sendJson(value) {
    this.sendText(JSON.stringify(value));
  }

  /** Closes with a close frame, as an agent shutting down would. */
  close(code = 1001) {
    if (this.closed) return;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code, 0);
    this.#socket.end(frame(0x8, payload));
    this.closed = true;
  }

  #onData(chunk) {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const b = this.#buffer;
      if (b.length < 2) return;
      const fin = (b[0] & 0x80) !== 0;
      const opcode = b[0] & 0x0f;
      const masked = (b[1] & 0x80) !== 0;
      let len = b[1] & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      if (!masked) {
        // RFC 6455 §5.1: a server must close on an unmasked client frame.
        this.close(1002);
        return;
      }
      if (b.length < offset + 4 + len) return;
      const mask = b.subarray(offset, offset + 4);
      const payload = Buffer.from(b.subarray(offset + 4, offset + 4 + len));
      for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
      this.#buffer = b.subarray(offset + 4 + len);
      if (opcode === 0x8) {
        this.#socket.end(frame(0x8, payload.subarray(0, 2)));
        this.closed = true;
        return;
      }
      if (opcode === 0x9) {
        this.#socket.write(frame(0xa, payload));
        continue;
      }
      if (opcode === 0x1 || opcode === 0x0) {
        this.#fragments.push(payload);
        if (fin) {
          const text = Buffer.concat(this.#fragments).toString('utf8');
          this.#fragments = [];
          this.onText(text, this);
        }
      }
    }
  }
}

/**
 * Starts a server on 127.0.0.1:0. `onMessage(json, connection)` gets each
 * parsed text message. `onUpgrade(request, { accept, refuse })`, if given, decides each
 * upgrade as the agent does (accept now, or hold it and refuse with a status later);
 * `upgrades` lists every upgrade request seen. Returns { port, connections, upgrades, close() }.
 */
export async function startTinyWebSocketServer(onMessage, { onUpgrade } = {}) {
  const connections = [];
  const upgrades = [];
  const sockets = new Set();
  const server = createServer((req, res) => {
    res.writeHead(426).end();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req, socket) => {
    upgrades.push(req);
    socket.on('error', () => {});
    const key = req.headers['sec-websocket-key'];
    if (req.headers.upgrade?.toLowerCase() !== 'websocket' || !key) {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const accept = () => acceptUpgrade(req, socket, key);
    if (!onUpgrade) {
      accept();
      return;
    }
    onUpgrade(req, {
      accept,
      // As the agent's HttpSession refuses: a status, Retry-After on 503, then the socket ends.
      refuse: (status, retryAfter) => {
        if (socket.destroyed) return;
        socket.end(`HTTP/1.1 ${status} Refused\r\nContent-Length: 0\r\nConnection: close\r\n` +
          (retryAfter === undefined ? '' : `Retry-After: ${retryAfter}\r\n`) + '\r\n');
      },
    });
  });
  function acceptUpgrade(req, socket, key) {
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`);
    const conn = new Connection(socket, req, (text, c) => {
      let msg;
      try {
        msg = JSON.parse(text);
      } catch {
        c.sendJson({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error', data: { reason: 'PARSE_ERROR' } } });
        return;
      }
      onMessage(msg, c);
    });
    connections.push(conn);
  }
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    connections,
    upgrades,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** A port on which nothing listens (bound, then released). */
export async function unusedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
