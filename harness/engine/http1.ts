// The open engine's HTTP/1.1 client: keep-alive connections of our own, one request at a time on each, request
// bytes built once, responses parsed by a small state machine. Per request it costs a socket write and a parse —
// no promise, stream or per-request timer — and new connections open a few at a time, so a generator that
// fell briefly behind does not answer its own burst by opening hundreds of sockets (each one a stall of its own).
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { performance } from 'node:perf_hooks';

/** What one request hears back; every request gets exactly one of onResponse or onError, after onWritten (or not). */
export interface Http1Handler {
  /** The request was written to a connection: the server can count it from now. */
  onWritten(): void;
  /** rawHeaders (name, value, …) when `wantHeaders`; body when `wantBody` (else undefined). */
  onResponse(status: number, rawHeaders: string[] | undefined, body: Buffer | undefined): void;
  /** error.code names it (ECONNRESET, ECONNREFUSED, ETIMEDOUT, HTTP_PARSE, …); `reused`: the connection had answered before. */
  onError(error: Http1Error): void;
}

export interface Http1Request {
  /** The whole request as sent (see encodeRequest). */
  bytes: Buffer;
  /** A HEAD request's response has no body. */
  head: boolean;
  wantHeaders: boolean;
  wantBody: boolean;
  handler: Http1Handler;
}

export class Http1Error extends Error {
  constructor(
    message: string,
    readonly code: string,
    /** The connection had carried an earlier exchange (a keep-alive race, safe to resend an idempotent request). */
    readonly reused = false,
  ) {
    super(message);
    this.name = 'Http1Error';
  }
}

export interface Http1PoolOptions {
  /** Connections at most (default 1024). */
  maxConnections?: number;
  /** From the write to the end of the response, and for a connect (default 10 s). */
  timeoutMs?: number;
  /** Connects in progress at most: new connections open a few at a time (default 4). */
  maxConnecting?: number;
}

/** Request bytes: request line, host, the step's headers, content-length when there is a body. */
export function encodeRequest(
  origin: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Buffer {
  let head = `${method} ${path} HTTP/1.1\r\n`;
  let hasHost = false;
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'connection') continue;
    if (lower === 'host') hasHost = true;
    head += `${name}: ${value}\r\n`;
  }
  if (!hasHost) head = `${method} ${path} HTTP/1.1\r\nhost: ${origin.host}\r\n${head.slice(head.indexOf('\r\n') + 2)}`;
  if (body === undefined) return Buffer.from(`${head}\r\n`, 'latin1');
  const bodyBytes = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`${head}content-length: ${bodyBytes.length}\r\n\r\n`, 'latin1'), bodyBytes]);
}

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');
const MAX_HEAD_BYTES = 64 * 1024;
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Where `needle` starts in data[from, end), or -1 (bytes past `end` may be stale: the read buffer is reused). */
function find(data: Buffer, needle: Buffer, from: number, end: number): number {
  const at = data.indexOf(needle, from);
  return at >= 0 && at + needle.length <= end ? at : -1;
}

const HTTP_PREFIX = 'HTTP/1.';

/** False as soon as the bytes so far cannot begin an HTTP/1.x status line. */
function startsLikeHttp(data: Buffer, from: number, end: number): boolean {
  const n = Math.min(end - from, HTTP_PREFIX.length);
  for (let i = 0; i < n; i++) if (data[from + i] !== HTTP_PREFIX.charCodeAt(i)) return false;
  return true;
}

function copy(data: Buffer, from: number, to: number): Buffer {
  return Buffer.from(data.subarray(from, to));
}

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  UntilClose,
}

class Connection {
  readonly socket: Socket;
  current: Http1Request | undefined;
  sentAt = 0;
  readonly openedAt = performance.now();
  exchanges = 0;
  connected = false;
  private state = State.Head;
  private pending: Buffer | undefined;
  private status = 0;
  private rawHeaders: string[] | undefined;
  private body: Buffer[] | undefined;
  private remaining = 0;
  private keepAlive = true;

  constructor(
    private readonly pool: Http1Pool,
    origin: URL,
  ) {
    const port = Number(origin.port) || (origin.protocol === 'https:' ? 443 : 80);
    const host = origin.hostname.replace(/^\[|\]$/g, '');
    if (origin.protocol === 'https:') {
      this.socket = tlsConnect({ host, port, servername: host, ALPNProtocols: ['http/1.1'] });
      this.socket.on('data', (chunk: Buffer) => this.onData(chunk, chunk.length));
    } else {
      // Reads land in one buffer shared by every connection of this thread (parsed before the next read):
      // no Buffer allocated per read, so less garbage and fewer collections pausing the send loop.
      this.socket = netConnect({
        host,
        port,
        onread: {
          buffer: READ_BUFFER,
          callback: (n: number, buf: Uint8Array) => {
            this.onData(buf as Buffer, n);
            return true;
          },
        },
      });
    }
    this.socket.setNoDelay(true);
    this.socket.once(origin.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      pool.onConnected(this);
    });
    this.socket.on('end', () => this.onEnd());
    this.socket.on('error', (err: NodeJS.ErrnoException) => this.fail(err.code ?? 'ESOCKET', err.message));
    this.socket.on('close', () => this.fail('ECONNRESET', 'other side closed'));
  }

  send(request: Http1Request, now: number): void {
    this.current = request;
    this.sentAt = now;
    this.state = State.Head;
    this.keepAlive = true;
    this.socket.write(request.bytes);
    request.handler.onWritten();
  }

  /** Ends this connection; the request on it (if any) fails with `code`. Idempotent. */
  fail(code: string, message: string): void {
    const request = this.current;
    this.current = undefined;
    if (!this.socket.destroyed) this.socket.destroy();
    this.pool.onGone(this, code, message);
    request?.handler.onError(new Http1Error(message, code, this.exchanges > 0));
  }

  private onEnd(): void {
    if (this.current && this.state === State.UntilClose) {
      this.keepAlive = false;
      this.complete();
    }
    this.fail('ECONNRESET', 'other side closed');
  }

  /** Parses data[0, length); `data` may be the shared read buffer, so whatever is kept is copied. */
  private onData(chunk: Buffer, length: number): void {
    let data = chunk;
    let end = length;
    if (this.pending) {
      data = Buffer.concat([this.pending, chunk.subarray(0, length)]);
      end = data.length;
      this.pending = undefined;
    }
    let at = 0;
    while (at < end) {
      if (!this.current) return this.fail('HTTP_PARSE', 'data from the server with no request outstanding');
      const request = this.current;
      switch (this.state) {
        case State.Head: {
          const headEnd = find(data, HEAD_END, at, end);
          if (headEnd < 0) {
            if (end - at > MAX_HEAD_BYTES) return this.fail('HTTP_PARSE', 'response head over 64 KiB');
            if (!startsLikeHttp(data, at, end)) return this.fail('HTTP_PARSE', 'not an HTTP/1.x response');
            this.pending = copy(data, at, end);
            return;
          }
          const head = data.toString('latin1', at, headEnd);
          at = headEnd + 4;
          if (!this.parseHead(head, request)) return;
          break;
        }
        case State.Length: {
          const take = Math.min(this.remaining, end - at);
          if (this.body) this.body.push(copy(data, at, at + take));
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) this.complete();
          break;
        }
        case State.UntilClose: {
          if (this.body) this.body.push(copy(data, at, end));
          at = end;
          break;
        }
        case State.ChunkSize: {
          const lineEnd = find(data, CRLF, at, end);
          if (lineEnd < 0) {
            this.pending = copy(data, at, end);
            return;
          }
          const size = parseInt(data.toString('latin1', at, lineEnd), 16);
          if (!Number.isFinite(size) || size < 0) return this.fail('HTTP_PARSE', 'bad chunk size');
          at = lineEnd + 2;
          if (size === 0) this.state = State.Trailers;
          else {
            this.remaining = size;
            this.state = State.ChunkData;
          }
          break;
        }
        case State.ChunkData: {
          const take = Math.min(this.remaining, end - at);
          if (this.body) this.body.push(copy(data, at, at + take));
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = State.ChunkEnd;
          break;
        }
        case State.ChunkEnd: {
          if (end - at < 2) {
            this.pending = copy(data, at, end);
            return;
          }
          if (data[at] !== 13 || data[at + 1] !== 10) return this.fail('HTTP_PARSE', 'chunk without CRLF');
          at += 2;
          this.state = State.ChunkSize;
          break;
        }
        case State.Trailers: {
          const lineEnd = find(data, CRLF, at, end);
          if (lineEnd < 0) {
            this.pending = copy(data, at, end);
            return;
          }
          const empty = lineEnd === at;
          at = lineEnd + 2;
          if (empty) this.complete();
          break;
        }
      }
    }
  }

  /** Reads the status line and the headers that frame the body; false when the connection failed. */
  private parseHead(head: string, request: Http1Request): boolean {
    if (!head.startsWith('HTTP/1.')) {
      this.fail('HTTP_PARSE', 'not an HTTP/1.x response');
      return false;
    }
    const status = Number(head.slice(9, 12));
    if (!(status >= 100 && status <= 999)) {
      this.fail('HTTP_PARSE', 'bad status line');
      return false;
    }
    if (status >= 100 && status < 200) return true; // 1xx: an interim answer, the real one follows
    this.status = status;
    const lower = head.toLowerCase();
    this.keepAlive =
      head.charCodeAt(7) === 49 /* HTTP/1.1 */
        ? !hasToken(lower, 'connection', 'close')
        : hasToken(lower, 'connection', 'keep-alive');
    this.rawHeaders = request.wantHeaders ? splitHeaders(head) : undefined;
    this.body = request.wantBody ? [] : undefined;
    if (request.head || status === 204 || status === 304) {
      this.complete();
      return true;
    }
    if (hasToken(lower, 'transfer-encoding', 'chunked')) {
      this.state = State.ChunkSize;
      return true;
    }
    const length = headerValue(lower, 'content-length');
    if (length === undefined) {
      this.state = State.UntilClose;
      this.keepAlive = false;
      return true;
    }
    const n = Number(length);
    if (!Number.isSafeInteger(n) || n < 0) {
      this.fail('HTTP_PARSE', 'bad content-length');
      return false;
    }
    this.remaining = n;
    this.state = State.Length;
    if (n === 0) this.complete();
    return true;
  }

  private complete(): void {
    const request = this.current!;
    const body = this.body ? (this.body.length === 1 ? this.body[0]! : Buffer.concat(this.body)) : undefined;
    const { status, rawHeaders } = this;
    this.current = undefined;
    this.body = undefined;
    this.rawHeaders = undefined;
    this.state = State.Head;
    this.exchanges += 1;
    // The connection is free before the handler hears the answer, so a request the handler sends at once
    // reuses it instead of opening another.
    if (this.keepAlive) this.pool.onFree(this);
    else {
      this.socket.destroy();
      this.pool.onGone(this, 'ECONNRESET', 'closed after its answer');
    }
    request.handler.onResponse(status, rawHeaders, body);
  }
}

/** The value of a header in a lower-cased response head, or undefined. */
function headerValue(lowerHead: string, name: string): string | undefined {
  const key = `\r\n${name}:`;
  const at = lowerHead.indexOf(key);
  if (at < 0) return undefined;
  const end = lowerHead.indexOf('\r\n', at + key.length);
  return lowerHead.slice(at + key.length, end < 0 ? undefined : end).trim();
}

function hasToken(lowerHead: string, name: string, token: string): boolean {
  const value = headerValue(lowerHead, name);
  return value !== undefined && value.includes(token) && value.split(',').some((part) => part.trim() === token);
}

function splitHeaders(head: string): string[] {
  const raw: string[] = [];
  const lines = head.split('\r\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    raw.push(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return raw;
}

/**
 * Keep-alive connections to one origin. A request goes to an idle connection at once; when none is idle it
 * waits in order, and a new connection opens (at most `maxConnecting` at a time, `maxConnections` in all).
 */
export class Http1Pool {
  private readonly origin: URL;
  private readonly maxConnections: number;
  private readonly maxConnecting: number;
  private readonly timeoutMs: number;
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private queue: Http1Request[] = [];
  private queueHead = 0;
  /** Requests that wait for a connection opened after them (see requestOnNewConnection). */
  private fresh: Http1Request[] = [];
  private connecting = 0;
  private closed = false;
  private readonly sweeper: NodeJS.Timeout;
  /** Connections opened over the pool's life. */
  opened = 0;

  constructor(target: string, opts: Http1PoolOptions = {}) {
    this.origin = new URL(target);
    if (this.origin.protocol !== 'http:' && this.origin.protocol !== 'https:') {
      throw new Error(`target ${this.origin.protocol} is not http: or https:`);
    }
    this.maxConnections = Math.max(1, opts.maxConnections ?? 1024);
    this.maxConnecting = Math.max(1, opts.maxConnecting ?? 4);
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.sweeper = setInterval(() => this.sweep(), Math.min(250, Math.max(10, this.timeoutMs / 4)));
    this.sweeper.unref();
  }

  get url(): URL {
    return this.origin;
  }

  /** Connections open (or opening) now. */
  get size(): number {
    return this.all.size;
  }

  /** Requests waiting for a connection. */
  get waiting(): number {
    return this.queue.length - this.queueHead;
  }

  request(request: Http1Request): void {
    if (this.closed) {
      request.handler.onError(new Http1Error('pool closed', 'ECLOSED'));
      return;
    }
    const connection = this.idle.pop();
    if (connection) {
      connection.send(request, performance.now());
      return;
    }
    this.queue.push(request);
    this.grow();
  }

  /**
   * Sends `request` on a connection that opens after it: the resend of a request whose reused connection was
   * reset. Another idle connection may be about to be reset too (a draining server closes its idle connections
   * together), while a new one reaches a server that accepts. At maxConnections it waits like any request.
   */
  requestOnNewConnection(request: Http1Request): void {
    if (this.closed || this.all.size >= this.maxConnections) {
      this.request(request);
      return;
    }
    this.fresh.push(request);
    this.open();
  }

  /** Opens connections (no requests on them) until `count` are open, and waits for them. */
  async preconnect(count: number): Promise<void> {
    if (this.closed) return;
    const want = Math.min(count, this.maxConnections);
    const waiting: Promise<void>[] = [];
    while (this.all.size < want) {
      const c = this.open();
      waiting.push(
        new Promise<void>((resolve) => {
          c.socket.once('connect', () => resolve());
          c.socket.once('secureConnect', () => resolve());
          c.socket.once('close', () => resolve());
        }),
      );
    }
    await Promise.all(waiting);
  }

  /** Closes every connection; requests still waiting or on a connection fail with ECLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    const waiting = [...this.fresh, ...this.queue.slice(this.queueHead)];
    this.fresh = [];
    this.queue = [];
    this.queueHead = 0;
    for (const c of [...this.all]) c.fail('ECLOSED', 'pool closed');
    for (const r of waiting) r.handler.onError(new Http1Error('pool closed', 'ECLOSED'));
  }

  onConnected(connection: Connection): void {
    this.connecting -= 1;
    const fresh = this.fresh.shift(); // any connection that opens now is a new one (close() empties this)
    if (fresh) connection.send(fresh, performance.now());
    else this.onFree(connection);
    this.grow();
  }

  onFree(connection: Connection): void {
    if (this.closed) return;
    const next = this.take();
    if (next) connection.send(next, performance.now());
    else this.idle.push(connection);
  }

  onGone(connection: Connection, code: string, message: string): void {
    if (!this.all.delete(connection)) return;
    if (!connection.connected) {
      this.connecting -= 1;
      // A connect that failed fails the request waiting longest (a refused server fails each request at once).
      const waiting = this.fresh.shift() ?? this.take();
      if (waiting) {
        queueMicrotask(() => waiting.handler.onError(new Http1Error(`connect failed: ${message}`, code)));
      }
    } else {
      const at = this.idle.indexOf(connection);
      if (at >= 0) this.idle.splice(at, 1);
    }
    if (!this.closed) this.grow();
  }

  private open(): Connection {
    const connection = new Connection(this, this.origin);
    this.all.add(connection);
    this.connecting += 1;
    this.opened += 1;
    return connection;
  }

  private grow(): void {
    while (
      this.waiting + this.fresh.length > this.connecting &&
      this.connecting < this.maxConnecting &&
      this.all.size < this.maxConnections
    ) {
      this.open();
    }
  }

  private take(): Http1Request | undefined {
    if (this.queueHead >= this.queue.length) return undefined;
    const next = this.queue[this.queueHead]!;
    this.queue[this.queueHead++] = undefined as unknown as Http1Request;
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    return next;
  }

  /** Fails requests over their time, and connects that take too long. */
  private sweep(): void {
    const now = performance.now();
    for (const c of this.all) {
      if (c.current && now - c.sentAt > this.timeoutMs)
        c.fail('ETIMEDOUT', `no complete answer in ${this.timeoutMs} ms`);
      else if (!c.connected && now - c.openedAt > this.timeoutMs)
        c.fail('ETIMEDOUT', `connect took over ${this.timeoutMs} ms`);
    }
  }
}
