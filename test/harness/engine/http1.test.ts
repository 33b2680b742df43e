// The open engine's HTTP/1.1 client (engine/http1.ts) on real sockets on 127.0.0.1: node:http servers for
// ordinary answers, raw node:net servers that write exact bytes, split where a test says, for the edge cases.
// Every server counts the connections it accepted; every request must hear exactly one of onResponse/onError.
import type { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRequest, Http1Error, Http1Pool, type Http1PoolOptions } from '../../../harness/engine/http1.ts';
import { closedPort } from '../helpers.ts';

/** Run after each test, last registered first: pools close before the servers they talk to. */
let cleanups: (() => unknown)[] = [];
/** Broken promises of the handler contract (a second callback, onWritten after the answer, a raw server's throw). */
let violations: string[] = [];

afterEach(async () => {
  const pending = cleanups.reverse();
  cleanups = [];
  for (const cleanup of pending) await cleanup();
  const seen = violations;
  violations = [];
  expect(seen).toEqual([]);
});

/** Counts a server's accepted connections and lets a test wait until it has seen `n`. */
class ConnectionCount {
  count = 0;
  private waiters: { n: number; resolve: () => void }[] = [];

  constructor(server: EventEmitter) {
    server.on('connection', () => {
      this.count += 1;
      this.waiters = this.waiters.filter((w) => (this.count >= w.n ? (w.resolve(), false) : true));
    });
  }

  reached(n: number): Promise<void> {
    if (this.count >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
}

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

interface HttpTestServer {
  url: string;
  /** Connections the server accepted. */
  connections: () => number;
  /** Requests the server read, by their path, in the order it read them. */
  paths: string[];
  reachedConnections: (n: number) => Promise<void>;
}

async function httpServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<HttpTestServer> {
  const paths: string[] = [];
  const server = createHttpServer((req, res) => {
    paths.push(req.url ?? '');
    handler(req, res);
  });
  const counted = new ConnectionCount(server);
  const port = await listen(server);
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => counted.count,
    paths,
    reachedConnections: (n) => counted.reached(n),
  };
}

interface RawRequest {
  /** The request head without its final CRLF CRLF. */
  head: string;
  body: Buffer;
  /** The server's side of the connection. */
  socket: Socket;
  /** Which connection (0-based, in accept order) and which request over the server's life. */
  connection: number;
  index: number;
}

interface RawTestServer {
  url: string;
  connections: () => number;
  requests: RawRequest[];
  /** Resolves when the server's side of connection `i` has closed. */
  closed: (i: number) => Promise<void>;
  /** Waits for what the responder returned (paced writes). */
  settled: () => Promise<unknown>;
}

/** A node:net server that reads request heads (and content-length bodies) and answers with whatever `respond` writes. */
async function rawServer(respond: (request: RawRequest) => unknown): Promise<RawTestServer> {
  const requests: RawRequest[] = [];
  const sockets: Socket[] = [];
  const closedAt: Promise<void>[] = [];
  const tasks: Promise<unknown>[] = [];
  const server = createNetServer((socket) => {
    const connection = sockets.push(socket) - 1;
    closedAt.push(new Promise((resolve) => socket.once('close', () => resolve())));
    socket.on('error', () => undefined); // a client's reset is part of some tests
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.toString('latin1', 0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const body = buffered.subarray(end + 4, end + 4 + length);
        buffered = buffered.subarray(end + 4 + length);
        const request = { head, body, socket, connection, index: requests.length };
        requests.push(request);
        try {
          const task: unknown = respond(request);
          if (task instanceof Promise)
            tasks.push(task.catch((error: unknown) => violations.push(`raw server: ${String(error)}`)));
        } catch (error) {
          violations.push(`raw server: ${String(error)}`);
        }
      }
    });
  });
  const counted = new ConnectionCount(server);
  const port = await listen(server);
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => counted.count,
    requests,
    closed: (i) => closedAt[i]!,
    settled: () => Promise.all(tasks),
  };
}

function pool(target: string, opts: Http1PoolOptions = {}): Http1Pool {
  // A bounded timeout by default, so that a parser that waits for bytes that never come fails as ETIMEDOUT, not a hang.
  const p = new Http1Pool(target, { timeoutMs: 5_000, ...opts });
  cleanups.push(() => p.close());
  return p;
}

/**
 * The client's side of a raw server's connection. The pool's connections are private; a test reaches one only
 * to pace a raw server's writes on the client's reads, never to assert on it.
 */
function clientFor(p: Http1Pool, server: Socket): Socket {
  const found = [...p['all']].find((c) => c.socket.localPort === server.remotePort);
  if (!found) throw new Error(`no connection of the pool is on port ${server.remotePort}`);
  return found.socket;
}

/**
 * Writes `pieces` one at a time, each only once the client has read every byte before it (its socket's
 * bytesRead, which counts a read before the parser is handed it), so each piece boundary is a boundary
 * between two reads of the client's parser. Waits by turning the event loop, not by a timer.
 */
async function writeInPieces(server: Socket, client: Socket, pieces: string[]): Promise<void> {
  const start = client.bytesRead;
  let written = 0;
  for (const piece of pieces) {
    const bytes = Buffer.from(piece, 'latin1');
    written += bytes.length;
    server.write(bytes);
    while (client.bytesRead - start < written) {
      if (client.destroyed) throw new Error(`the client closed after reading ${client.bytesRead - start} bytes`);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

interface Answer {
  written: boolean;
  status: number;
  rawHeaders: string[] | undefined;
  body: Buffer | undefined;
}
type Outcome = Answer | Http1Error;

interface SendOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  head?: boolean;
  wantHeaders?: boolean;
  wantBody?: boolean;
  onWritten?: () => void;
  /** Through requestOnNewConnection. */
  newConnection?: boolean;
}

/** One request through the callback API: its answer or its Http1Error. A second callback is a violation. */
function send(p: Http1Pool, opts: SendOptions = {}): Promise<Outcome> {
  const method = opts.method ?? (opts.head ? 'HEAD' : 'GET');
  const path = opts.path ?? '/';
  const what = `${method} ${path}`;
  return new Promise((resolve) => {
    let written = false;
    let settled: string | undefined;
    const settle = (how: string, outcome: Outcome): void => {
      if (settled !== undefined) violations.push(`${what}: ${how} after ${settled}`);
      else {
        settled = how;
        resolve(outcome);
      }
    };
    const request = opts.newConnection ? p.requestOnNewConnection.bind(p) : p.request.bind(p);
    request({
      bytes: encodeRequest(p.url, method, path, opts.headers ?? {}, opts.body),
      head: opts.head ?? false,
      wantHeaders: opts.wantHeaders ?? false,
      wantBody: opts.wantBody ?? true,
      handler: {
        onWritten() {
          if (written) violations.push(`${what}: onWritten twice`);
          if (settled !== undefined) violations.push(`${what}: onWritten after ${settled}`);
          written = true;
          opts.onWritten?.();
        },
        onResponse(status, rawHeaders, body) {
          settle('onResponse', { written, status, rawHeaders, body });
        },
        onError(error) {
          settle(`onError ${error.code}`, error);
        },
      },
    });
  });
}

function answer(outcome: Outcome): Answer {
  if (outcome instanceof Http1Error) throw new Error(`expected an answer, got ${outcome.code}: ${outcome.message}`);
  return outcome;
}

function failure(outcome: Outcome): Http1Error {
  if (!(outcome instanceof Http1Error)) throw new Error(`expected an Http1Error, got status ${outcome.status}`);
  expect(outcome.name).toBe('Http1Error');
  return outcome;
}

const text = (outcome: Outcome): string | undefined => answer(outcome).body?.toString('latin1');

/** rawHeaders as [name, value] pairs. */
function pairs(rawHeaders: string[] | undefined): [string, string][] {
  expect(rawHeaders).toBeDefined();
  expect(rawHeaders!.length % 2).toBe(0);
  const out: [string, string][] = [];
  for (let i = 0; i < rawHeaders!.length; i += 2) out.push([rawHeaders![i]!, rawHeaders![i + 1]!]);
  return out;
}

describe('encodeRequest', () => {
  const origin = new URL('http://127.0.0.1:8080/ignored/path');

  it('a POST with a JSON body: request line, host, the headers in order, content-length in bytes, the body', () => {
    const body = '{"item":"é","n":2}'; // 18 characters, 19 bytes in UTF-8
    const bytes = encodeRequest(
      origin,
      'POST',
      '/orders?x=1',
      { 'content-type': 'application/json', 'X-Id': 'a1' },
      body,
    );
    expect(bytes).toEqual(
      Buffer.from(
        'POST /orders?x=1 HTTP/1.1\r\nhost: 127.0.0.1:8080\r\ncontent-type: application/json\r\nX-Id: a1\r\n' +
          'content-length: 19\r\n\r\n{"item":"é","n":2}',
        'utf8',
      ),
    );
  });

  it('a GET has no content-length; an empty body has content-length 0', () => {
    expect(encodeRequest(origin, 'GET', '/', {}).toString('latin1')).toBe(
      'GET / HTTP/1.1\r\nhost: 127.0.0.1:8080\r\n\r\n',
    );
    expect(encodeRequest(origin, 'PUT', '/a', {}, '').toString('latin1')).toBe(
      'PUT /a HTTP/1.1\r\nhost: 127.0.0.1:8080\r\ncontent-length: 0\r\n\r\n',
    );
  });

  it("keeps the step's own host header, in its place and spelling, and adds none", () => {
    const bytes = encodeRequest(origin, 'GET', '/', { accept: '*/*', Host: 'api.example.test', 'x-b': '2' });
    expect(bytes.toString('latin1')).toBe('GET / HTTP/1.1\r\naccept: */*\r\nHost: api.example.test\r\nx-b: 2\r\n\r\n');
  });

  it("drops the step's content-length, transfer-encoding and connection: the client frames the request itself", () => {
    const headers = { 'Content-Length': '999', 'Transfer-Encoding': 'chunked', Connection: 'close', 'x-a': '1' };
    expect(encodeRequest(origin, 'POST', '/p', headers, 'hi').toString('latin1')).toBe(
      'POST /p HTTP/1.1\r\nhost: 127.0.0.1:8080\r\nx-a: 1\r\ncontent-length: 2\r\n\r\nhi',
    );
  });

  it.each([
    ['https://example.test/', 'example.test'],
    ['http://example.test:80/', 'example.test'],
    ['http://[::1]:8080/', '[::1]:8080'],
  ])('the host of %s is %s', (target, host) => {
    expect(encodeRequest(new URL(target), 'GET', '/', {}).toString('latin1')).toBe(
      `GET / HTTP/1.1\r\nhost: ${host}\r\n\r\n`,
    );
  });
});

describe('Http1Pool', () => {
  it('takes only http: and https: targets', () => {
    expect(() => new Http1Pool('ftp://127.0.0.1/')).toThrow('target ftp: is not http: or https:');
  });

  describe('answers from node:http', () => {
    it('a GET: status 200, the body only when wantBody, the header pairs only when wantHeaders', async () => {
      const server = await httpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain', 'x-custom': 'a b', 'content-length': '5' });
        res.end('hello');
      });
      const p = pool(server.url);

      const plain = answer(await send(p, { wantBody: false, wantHeaders: false }));
      expect(plain).toEqual({ written: true, status: 200, rawHeaders: undefined, body: undefined });

      const withBody = answer(await send(p, { wantBody: true, wantHeaders: false }));
      expect(withBody).toEqual({ written: true, status: 200, rawHeaders: undefined, body: Buffer.from('hello') });

      const withHeaders = answer(await send(p, { wantBody: false, wantHeaders: true }));
      expect(withHeaders.body).toBeUndefined();
      expect(pairs(withHeaders.rawHeaders)).toEqual(
        expect.arrayContaining([
          ['content-type', 'text/plain'],
          ['x-custom', 'a b'],
          ['content-length', '5'],
        ]),
      );
      expect(server.connections()).toBe(1);
    });

    it('a POST arrives as encodeRequest built it: method, path, host, headers, body', async () => {
      const server = await httpServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const seen = {
            method: req.method,
            url: req.url,
            rawHeaders: req.rawHeaders,
            body: Buffer.concat(chunks).toString(),
          };
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(JSON.stringify(seen));
        });
      });
      const p = pool(server.url);
      const body = JSON.stringify({ item: 'é', n: 2 });
      const got = answer(
        await send(p, { method: 'POST', path: '/orders?x=1', headers: { 'content-type': 'application/json' }, body }),
      );
      expect(got.status).toBe(201);
      const host = new URL(server.url).host;
      expect(JSON.parse(got.body!.toString('utf8'))).toEqual({
        method: 'POST',
        url: '/orders?x=1',
        rawHeaders: [
          'host',
          host,
          'content-type',
          'application/json',
          'content-length',
          String(Buffer.byteLength(body)),
        ],
        body,
      });
    });

    it('a binary body comes back byte for byte, CRLF CRLF inside it included', async () => {
      const bytes = Buffer.concat([
        Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
        Buffer.from('\r\n\r\nHTTP/1.1 200 OK\r\n\r\n'),
      ]);
      const server = await httpServer((_req, res) => res.end(bytes));
      const p = pool(server.url);
      expect(answer(await send(p)).body).toEqual(bytes);
      expect(answer(await send(p)).body).toEqual(bytes);
      expect(server.connections()).toBe(1);
    });

    it('a chunked answer written in several writes by node:http', async () => {
      const server = await httpServer((_req, res) => {
        res.write('one,');
        res.write('two,');
        res.end('three');
      });
      const p = pool(server.url);
      const got = answer(await send(p, { wantHeaders: true }));
      expect(got.body!.toString()).toBe('one,two,three');
      expect(pairs(got.rawHeaders)).toContainEqual(['Transfer-Encoding', 'chunked']);
      expect(text(await send(p))).toBe('one,two,three');
      expect(server.connections()).toBe(1);
    });
  });

  describe('keep-alive', () => {
    it('100 sequential requests use 1 connection', async () => {
      const server = await httpServer((req, res) => res.end(`answer to ${req.url}`));
      const p = pool(server.url);
      for (let i = 0; i < 100; i++) {
        const got = answer(await send(p, { path: `/${i}` }));
        expect(got.status).toBe(200);
        expect(got.body!.toString()).toBe(`answer to /${i}`);
      }
      expect(server.paths).toEqual(Array.from({ length: 100 }, (_, i) => `/${i}`));
      expect(server.connections()).toBe(1);
      expect(p.opened).toBe(1);
      expect(p.size).toBe(1);
    });

    it('requestOnNewConnection opens a connection for its request though one is idle; at maxConnections it takes an idle one', async () => {
      const server = await rawServer(({ socket, connection }) =>
        socket.write(`HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n${connection}`),
      );
      const p = pool(server.url, { maxConnections: 2 });
      expect(text(await send(p))).toBe('0');
      expect(text(await send(p, { newConnection: true }))).toBe('1');
      expect([p.size, p.opened]).toEqual([2, 2]);
      expect(text(await send(p, { newConnection: true }))).toMatch(/^[01]$/);
      expect(server.connections()).toBe(2);
    });

    it('an idle connection the server closed is dropped, and the next request opens a new one', async () => {
      const server = await rawServer(({ socket, index }) => {
        socket.write(`HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n${index}`);
        if (index === 0) socket.end(); // keep-alive by its head, closed by the server right after
      });
      const p = pool(server.url);
      expect(text(await send(p))).toBe('0');
      await server.closed(0); // the client closed its side too: it saw the end
      expect(p.size).toBe(0);
      expect(text(await send(p))).toBe('1');
      expect(server.connections()).toBe(2);
    });
  });

  describe('bytes split across writes', () => {
    it('a chunked body split inside a chunk-size line, inside a chunk, between CR and LF; trailers after the 0 chunk', async () => {
      const pieces = [
        'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-type: text/plain\r\n\r\n',
        '1', // the chunk-size line "1a" split in two
        'a\r\nabcdefghijklm', // 0x1a = 26 bytes, 13 of them here
        'nopqrstuvwxyz\r', // the chunk's CRLF split between CR …
        '\n5;name=value\r', // … and LF; a chunk extension; the size line split before its LF
        '\nHELLO\r\n',
        '0\r\nx-trai', // the last chunk, a trailer split in two
        'ler: done\r\nx-other: 2\r\n',
        '\r\n',
      ];
      const server = await rawServer(async ({ socket, index }) => {
        if (index === 0) await writeInPieces(socket, clientFor(p, socket), pieces);
        else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nnext');
      });
      const p = pool(server.url);
      const got = answer(await send(p, { wantHeaders: true }));
      expect(got.status).toBe(200);
      expect(got.body!.toString('latin1')).toBe('abcdefghijklmnopqrstuvwxyzHELLO');
      // the trailers are not headers of the answer
      expect(got.rawHeaders).toEqual(['transfer-encoding', 'chunked', 'content-type', 'text/plain']);
      await server.settled();
      // nothing of the first answer is left over to spoil the next one on the same connection
      expect(text(await send(p))).toBe('next');
      expect(server.connections()).toBe(1);
    });

    it('a chunked body written all at once, wantBody false: no body, and the connection goes on', async () => {
      const server = await rawServer(({ socket, index }) =>
        socket.write(
          index === 0
            ? 'HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n'
            : 'HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\nok',
        ),
      );
      const p = pool(server.url);
      expect(answer(await send(p, { wantBody: false }))).toEqual({
        written: true,
        status: 200,
        rawHeaders: undefined,
        body: undefined,
      });
      const next = answer(await send(p));
      expect([next.status, next.body!.toString()]).toEqual([202, 'ok']);
      expect(server.connections()).toBe(1);
    });

    it('a head split inside a line, inside its CRLF and inside CRLF CRLF; a content-length body in three writes', async () => {
      const pieces = ['HTTP/1.1 200 OK\r\ncontent-le', 'ngth: 12\r\nx-a: 1\r', '\n\r', '\nhello', ' wor', 'ld!'];
      const server = await rawServer(async ({ socket, index }) => {
        if (index === 0) await writeInPieces(socket, clientFor(p, socket), pieces);
        else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nagain');
      });
      const p = pool(server.url);
      const got = answer(await send(p, { wantHeaders: true }));
      expect(got).toEqual({
        written: true,
        status: 200,
        rawHeaders: ['content-length', '12', 'x-a', '1'],
        body: Buffer.from('hello world!'),
      });
      await server.settled();
      expect(text(await send(p))).toBe('again');
      expect(server.connections()).toBe(1);
    });

    it('half a head on one connection, a whole answer on another, then the rest of the first', async () => {
      // The connections parse their reads one at a time; what one keeps of a read must not change with the other's.
      const server = await rawServer(async ({ index }) => {
        if (index !== 1) return;
        const first = server.requests.find((r) => r.head.startsWith('GET /a '))!;
        const second = server.requests.find((r) => r.head.startsWith('GET /b '))!;
        expect(first.connection).not.toBe(second.connection);
        await writeInPieces(first.socket, clientFor(p, first.socket), ['HTTP/1.1 200 OK\r\ncontent-le']);
        await writeInPieces(second.socket, clientFor(p, second.socket), [
          'HTTP/1.1 200 OK\r\ncontent-length: 6\r\nx-which: b\r\n\r\nsecond',
        ]);
        await writeInPieces(first.socket, clientFor(p, first.socket), ['ngth: 5\r\nx-which: a\r\n\r\nfirst']);
      });
      const p = pool(server.url);
      await p.preconnect(2);
      const [a, b] = [send(p, { path: '/a', wantHeaders: true }), send(p, { path: '/b', wantHeaders: true })];
      expect(answer(await a)).toMatchObject({
        rawHeaders: ['content-length', '5', 'x-which', 'a'],
        body: Buffer.from('first'),
      });
      expect(answer(await b)).toMatchObject({
        rawHeaders: ['content-length', '6', 'x-which', 'b'],
        body: Buffer.from('second'),
      });
      await server.settled();
      expect(server.connections()).toBe(2);
    });

    it('header pairs as sent: names in their case, values trimmed, repeats kept, an empty value', async () => {
      const server = await rawServer(({ socket }) =>
        socket.write(
          'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Spaced:   padded value  \r\nx-empty:\r\n' +
            'Set-Cookie: a=1\r\nSet-Cookie: b=2\r\ncontent-length: 2\r\n\r\nok',
        ),
      );
      const p = pool(server.url);
      expect(answer(await send(p, { wantHeaders: true })).rawHeaders).toEqual([
        'Content-Type',
        'text/plain',
        'X-Spaced',
        'padded value',
        'x-empty',
        '',
        'Set-Cookie',
        'a=1',
        'Set-Cookie',
        'b=2',
        'content-length',
        '2',
      ]);
    });
  });

  describe('answers without a body', () => {
    it('HEAD with a content-length, 204, 304 with a content-length: no body read, the connection goes on', async () => {
      const answers = [
        'HTTP/1.1 200 OK\r\ncontent-length: 11\r\ncontent-type: text/plain\r\n\r\n', // HEAD: the length of a GET's body
        'HTTP/1.1 204 No Content\r\nx-n: 1\r\n\r\n', // no length at all: not a close-delimited body
        'HTTP/1.1 304 Not Modified\r\netag: "v1"\r\ncontent-length: 5\r\n\r\n', // the length of the cached body
        'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nafter',
      ];
      const server = await rawServer(({ socket, index }) => socket.write(answers[index]!));
      const p = pool(server.url);
      const head = answer(await send(p, { head: true, wantHeaders: true }));
      expect(head).toEqual({
        written: true,
        status: 200,
        rawHeaders: ['content-length', '11', 'content-type', 'text/plain'],
        body: Buffer.alloc(0),
      });
      expect(answer(await send(p))).toMatchObject({ status: 204, body: Buffer.alloc(0) });
      expect(answer(await send(p, { wantBody: false }))).toMatchObject({ status: 304, body: undefined });
      expect(answer(await send(p))).toMatchObject({ status: 200, body: Buffer.from('after') });
      expect(server.requests.map((r) => r.head.split(' ')[0])).toEqual(['HEAD', 'GET', 'GET', 'GET']);
      expect(server.connections()).toBe(1);
    });

    it('node:http: HEAD, 204 and 304, then a GET on the same connection', async () => {
      const server = await httpServer((req, res) => {
        if (req.url === '/204') res.writeHead(204).end();
        else if (req.url === '/304') res.writeHead(304, { etag: '"v1"' }).end();
        else res.writeHead(200, { 'content-length': '11' }).end('hello world');
      });
      const p = pool(server.url);
      expect(answer(await send(p, { head: true }))).toMatchObject({ status: 200, body: Buffer.alloc(0) });
      expect(answer(await send(p, { path: '/204' }))).toMatchObject({ status: 204, body: Buffer.alloc(0) });
      expect(answer(await send(p, { path: '/304' }))).toMatchObject({ status: 304, body: Buffer.alloc(0) });
      expect(text(await send(p))).toBe('hello world');
      expect(server.connections()).toBe(1);
    });
  });

  describe('interim answers', () => {
    it('node:http sends 100 Continue to an expect: 100-continue POST; the handler sees the 200', async () => {
      const server = await httpServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => res.end(`got ${Buffer.concat(chunks).toString()}`));
      });
      const p = pool(server.url);
      const got = answer(
        await send(p, { method: 'POST', path: '/up', headers: { expect: '100-continue' }, body: 'data' }),
      );
      expect([got.status, got.body!.toString()]).toEqual([200, 'got data']);
      expect(text(await send(p))).toBe('got ');
      expect(server.connections()).toBe(1);
    });

    it('100 Continue alone, then 103 Early Hints and the 200 together: status and headers are the final ones', async () => {
      const pieces = [
        'HTTP/1.1 100 Continue\r\n\r\n',
        'HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\n' +
          'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nx-final: yes\r\n\r\nok',
      ];
      const server = await rawServer(({ socket }) => writeInPieces(socket, clientFor(p, socket), pieces));
      const p = pool(server.url);
      expect(answer(await send(p, { wantHeaders: true }))).toEqual({
        written: true,
        status: 200,
        rawHeaders: ['content-length', '2', 'x-final', 'yes'],
        body: Buffer.from('ok'),
      });
      await server.settled();
    });
  });

  describe('answers that end their connection', () => {
    it('connection: close is answered, and the next request opens a new connection', async () => {
      const server = await httpServer((req, res) => {
        res.writeHead(200, { connection: 'close', 'content-length': '2' });
        res.end('ok');
      });
      const p = pool(server.url);
      expect(answer(await send(p))).toMatchObject({ written: true, status: 200, body: Buffer.from('ok') });
      expect(p.size).toBe(0);
      expect(answer(await send(p))).toMatchObject({ written: true, status: 200, body: Buffer.from('ok') });
      expect(server.connections()).toBe(2);
      expect(p.opened).toBe(2);
    });

    it('a close-delimited body (no content-length; the server ends the socket) is complete', async () => {
      const pieces = ['HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nfirst part, ', 'second part'];
      const server = await rawServer(async ({ socket }) => {
        await writeInPieces(socket, clientFor(p, socket), pieces);
        socket.end();
      });
      const p = pool(server.url);
      expect(answer(await send(p))).toEqual({
        written: true,
        status: 200,
        rawHeaders: undefined,
        body: Buffer.from('first part, second part'),
      });
      expect(p.size).toBe(0);
      await server.settled();
      expect(text(await send(p))).toBe('first part, second part');
      expect(server.connections()).toBe(2);
    });

    it('HTTP/1.0 closes after each answer unless it says keep-alive', async () => {
      const server = await rawServer(({ socket, index }) =>
        socket.write(
          index < 2
            ? 'HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok'
            : 'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\ncontent-length: 2\r\n\r\nok',
        ),
      );
      const p = pool(server.url);
      for (let i = 0; i < 4; i++) expect(text(await send(p))).toBe('ok');
      // requests 0 and 1 each on their own connection; 2 and 3 share the third
      expect(server.requests.map((r) => r.connection)).toEqual([0, 1, 2, 2]);
      expect(server.connections()).toBe(3);
    });

    it('bytes after a complete answer, with nothing asked: the connection is dropped, the answer stands', async () => {
      const server = await rawServer(({ socket, index }) =>
        socket.write(`HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok${index === 0 ? 'UNASKED' : ''}`),
      );
      const p = pool(server.url);
      expect(text(await send(p))).toBe('ok');
      expect(p.size).toBe(0);
      expect(text(await send(p))).toBe('ok');
      expect(server.connections()).toBe(2);
    });
  });

  describe('errors', () => {
    it.each([
      ['ends (FIN)', (socket: Socket) => socket.destroy()],
      ['resets (RST)', (socket: Socket) => socket.resetAndDestroy()],
    ])('a server that %s the connection after reading the request → ECONNRESET, reused false', async (_how, close) => {
      const server = await rawServer(({ socket }) => void close(socket));
      const p = pool(server.url);
      let written = false;
      const error = failure(await send(p, { onWritten: () => (written = true) }));
      expect([error.code, error.reused, written]).toEqual(['ECONNRESET', false, true]);
      expect(server.requests).toHaveLength(1);
      expect(p.size).toBe(0);
    });

    it('the same after one good exchange on a keep-alive connection → ECONNRESET, reused true', async () => {
      const server = await rawServer(({ socket, index }) => {
        if (index === 0) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
        else socket.destroy();
      });
      const p = pool(server.url);
      expect(text(await send(p))).toBe('ok');
      const error = failure(await send(p));
      expect([error.code, error.reused]).toEqual(['ECONNRESET', true]);
      expect(server.requests.map((r) => r.connection)).toEqual([0, 0]);
      expect(server.connections()).toBe(1);
    });

    it('a body cut short by the server closing → ECONNRESET', async () => {
      const server = await rawServer(({ socket }) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort'));
      const p = pool(server.url);
      const error = failure(await send(p));
      expect([error.code, error.reused]).toEqual(['ECONNRESET', false]);
    });

    it('nothing listening → ECONNREFUSED for each request, none of them written', async () => {
      const p = pool(`http://127.0.0.1:${await closedPort()}`);
      const writes: number[] = [];
      const outcomes = await Promise.all(
        [0, 1, 2].map((i) => send(p, { path: `/${i}`, onWritten: () => writes.push(i) })),
      );
      for (const outcome of outcomes)
        expect([failure(outcome).code, failure(outcome).reused]).toEqual(['ECONNREFUSED', false]);
      expect(writes).toEqual([]);
      expect(p.size).toBe(0);
      expect(p.waiting).toBe(0);
    });

    it('a server that never answers, timeoutMs 200 → ETIMEDOUT; the next request gets a new connection', async () => {
      const server = await httpServer((req, res) => {
        if (req.url === '/answered') res.end('late but fine');
      });
      const p = pool(server.url, { timeoutMs: 200 });
      let written = false;
      const started = performance.now();
      const error = failure(await send(p, { path: '/silent', onWritten: () => (written = true) }));
      const elapsed = performance.now() - started;
      expect([error.code, error.reused, written]).toEqual(['ETIMEDOUT', false, true]);
      expect(elapsed).toBeGreaterThan(200);
      expect(elapsed).toBeLessThan(5_000);
      expect(p.size).toBe(0);
      expect(text(await send(p, { path: '/answered' }))).toBe('late but fine');
      expect(server.connections()).toBe(2);
    });

    it.each([
      ['not HTTP at all', 'SSH-2.0-OpenSSH_9.6\r\n\r\n'],
      ['a status line without a status', 'HTTP/1.1 OK\r\n\r\n'],
      ['a status under 100', 'HTTP/1.1 099 Odd\r\n\r\n'],
      ['a content-length that is not a number', 'HTTP/1.1 200 OK\r\ncontent-length: abc\r\n\r\n'],
      ['a negative content-length', 'HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n'],
      ['a chunk size that is not hex', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'],
      ['a chunk not followed by CRLF', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabcXY'],
      ['a head over 64 KiB', `HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(70 * 1024)}`],
    ])('%s → HTTP_PARSE', async (_what, bytes) => {
      const server = await rawServer(({ socket }) => socket.write(bytes));
      const p = pool(server.url);
      let written = false;
      const error = failure(await send(p, { onWritten: () => (written = true) }));
      expect([error.code, error.reused, written]).toEqual(['HTTP_PARSE', false, true]);
      expect(p.size).toBe(0);
      await server.closed(0); // the client dropped the connection
    });
  });

  describe('bounded growth', () => {
    const slowServer = (): Promise<HttpTestServer> =>
      httpServer((req, res) => {
        setTimeout(() => res.end(`answer to ${req.url}`), 20);
      });

    it('maxConnecting 2, maxConnections 5: 50 requests at once are all answered over at most 5 connections', async () => {
      const server = await slowServer();
      const p = pool(server.url, { maxConnecting: 2, maxConnections: 5 });
      const outcomes = Array.from({ length: 50 }, (_, i) => send(p, { path: `/${i}` }));
      // two connects started, every request waiting for one
      expect(p.size).toBe(2);
      expect(p.waiting).toBe(50);
      const done = await Promise.all(outcomes);
      done.forEach((outcome, i) => expect(text(outcome)).toBe(`answer to /${i}`));
      expect(server.paths).toHaveLength(50);
      expect(server.connections()).toBeLessThanOrEqual(5);
      expect(p.opened).toBe(server.connections());
      expect(p.waiting).toBe(0);
    });

    it('maxConnections 1: 50 requests at once are answered over 1 connection, in order', async () => {
      const server = await slowServer();
      const p = pool(server.url, { maxConnections: 1 });
      const order: number[] = [];
      const outcomes = Array.from({ length: 50 }, (_, i) =>
        send(p, { path: `/${i}` }).then((outcome) => {
          order.push(i);
          return outcome;
        }),
      );
      expect(p.size).toBe(1);
      const done = await Promise.all(outcomes);
      done.forEach((outcome, i) => expect(text(outcome)).toBe(`answer to /${i}`));
      const inOrder = Array.from({ length: 50 }, (_, i) => i);
      expect(order).toEqual(inOrder);
      expect(server.paths).toEqual(inOrder.map((i) => `/${i}`));
      expect(server.connections()).toBe(1);
      expect(p.opened).toBe(1);
    });
  });

  describe('close', () => {
    it('fails the request on a connection and the requests in the queue with ECLOSED; request() after it too', async () => {
      const server = await httpServer(() => undefined); // never answers
      const p = pool(server.url, { maxConnections: 1 });
      const events: string[] = [];
      let onFirstWritten: () => void = () => undefined;
      const firstWritten = new Promise<void>((resolve) => (onFirstWritten = resolve));
      const track = (name: string, opts: SendOptions = {}): Promise<Outcome> =>
        send(p, { path: `/${name}`, ...opts }).then((outcome) => {
          events.push(`${name}: ${outcome instanceof Http1Error ? outcome.code : outcome.status}`);
          return outcome;
        });
      const onConnection = track('a', {
        onWritten: () => {
          events.push('a written');
          onFirstWritten();
        },
      });
      await firstWritten;
      const queued = [track('b', { onWritten: () => events.push('b written') }), track('c')];
      expect(p.waiting).toBe(2);

      await p.close();
      for (const outcome of await Promise.all([onConnection, ...queued])) {
        expect([failure(outcome).code, failure(outcome).reused]).toEqual(['ECLOSED', false]);
      }
      expect(events).toEqual(['a written', 'a: ECLOSED', 'b: ECLOSED', 'c: ECLOSED']);
      expect(p.size).toBe(0);
      expect(p.waiting).toBe(0);

      expect(failure(await send(p)).code).toBe('ECLOSED');
      await p.close(); // again: nothing more to fail
      expect(server.connections()).toBe(1);
    });

    it('a request on a connection that had answered before fails with ECLOSED, reused true', async () => {
      const server = await httpServer((req, res) => {
        if (req.url === '/ok') res.end('ok');
      });
      const p = pool(server.url);
      expect(text(await send(p, { path: '/ok' }))).toBe('ok');
      let onHeld: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (onHeld = resolve));
      const outcome = send(p, { path: '/held', onWritten: onHeld });
      await held;
      await p.close();
      const error = failure(await outcome);
      expect([error.code, error.reused]).toEqual(['ECLOSED', true]);
    });

    it('requests waiting on connections still opening fail with ECLOSED, never written', async () => {
      const server = await httpServer((_req, res) => res.end('ok'));
      const p = pool(server.url);
      const writes: number[] = [];
      const outcomes = [0, 1, 2].map((i) => send(p, { onWritten: () => writes.push(i) }));
      expect(p.size).toBe(3);
      await p.close();
      for (const outcome of await Promise.all(outcomes)) expect(failure(outcome).code).toBe('ECLOSED');
      expect(writes).toEqual([]);
      expect(p.size).toBe(0);
      expect(server.paths).toEqual([]);
    });
  });

  describe('preconnect', () => {
    it('preconnect(3) opens 3 connections and sends nothing; requests then use them', async () => {
      const server = await httpServer((req, res) => res.end(`answer to ${req.url}`));
      const p = pool(server.url);
      await p.preconnect(3);
      await server.reachedConnections(3);
      expect(server.connections()).toBe(3);
      expect(server.paths).toEqual([]);
      expect([p.size, p.opened, p.waiting]).toEqual([3, 3, 0]);

      // each request is written at once, on a connection that is already open
      let written = 0;
      const sent = [0, 1, 2].map((i) => send(p, { path: `/${i}`, onWritten: () => (written += 1) }));
      expect([written, p.waiting]).toEqual([3, 0]);
      const outcomes = await Promise.all(sent);
      outcomes.forEach((outcome, i) => expect(text(outcome)).toBe(`answer to /${i}`));
      expect(server.paths.slice().sort()).toEqual(['/0', '/1', '/2']);
      expect(server.connections()).toBe(3);
      expect(p.opened).toBe(3);
    });

    it('resolves once the connections are open: a request right after it is written at once', async () => {
      const server = await httpServer((_req, res) => res.end('ok'));
      const p = pool(server.url);
      await p.preconnect(2);
      let written = false;
      const sent = send(p, { onWritten: () => (written = true) });
      expect([written, p.waiting]).toEqual([true, 0]);
      expect(text(await sent)).toBe('ok');
      expect(p.opened).toBe(2);
    });

    it('opens no more than maxConnections, and none when enough are open', async () => {
      const server = await httpServer((_req, res) => res.end('ok'));
      const p = pool(server.url, { maxConnections: 2 });
      await p.preconnect(10);
      expect([p.size, p.opened]).toEqual([2, 2]);
      await p.preconnect(2);
      expect([p.size, p.opened]).toEqual([2, 2]);
      await server.reachedConnections(2);
      expect(text(await send(p))).toBe('ok');
      expect(server.connections()).toBe(2);
    });

    it('opens nothing once the pool is closed', async () => {
      const server = await httpServer((_req, res) => res.end('ok'));
      const p = pool(server.url);
      await p.close();
      await p.preconnect(2);
      expect([p.size, p.opened]).toEqual([0, 0]);
    });
  });

  it('a request sent from onResponse reuses the connection that answered: 10 chained requests, 1 connection', async () => {
    const server = await httpServer((req, res) => res.end(`answer to ${req.url}`));
    const p = pool(server.url);
    const bodies: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const next = (i: number): void =>
        p.request({
          bytes: encodeRequest(p.url, 'GET', `/${i}`, {}),
          head: false,
          wantHeaders: false,
          wantBody: true,
          handler: {
            onWritten: () => undefined,
            onResponse: (_status, _headers, body) => {
              bodies.push(body!.toString());
              if (i < 9) next(i + 1);
              else resolve();
            },
            onError: reject,
          },
        });
      next(0);
    });
    expect(bodies).toEqual(Array.from({ length: 10 }, (_, i) => `answer to /${i}`));
    expect([p.opened, server.connections()]).toEqual([1, 1]);
  });

  it('a server that answers with something other than HTTP fails as HTTP_PARSE at once, before any blank line', async () => {
    const server = await rawServer(({ socket }) => socket.write('SSH-2.0-OpenSSH_9.6\r\n')); // and stays open
    const p = pool(server.url, { timeoutMs: 60_000 });
    const error = failure(await send(p));
    expect(error.code).toBe('HTTP_PARSE');
    await server.closed(0);
  });
});
