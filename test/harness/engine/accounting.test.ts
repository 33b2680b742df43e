// Exact request accounting: counts add up, success by status, and transport errors named from real error shapes.
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { errors, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  classifyError,
  countError,
  countResponse,
  countSent,
  createCounts,
  mergeCounts,
} from '../../../harness/engine/accounting.ts';
import { isSuccessStatus } from '../../../harness/scenario/answer.ts';
import { closedPort, startServer, type TestServer } from '../helpers.ts';

describe('isSuccessStatus', () => {
  it.each<[number, number | number[] | undefined, boolean]>([
    [200, undefined, true],
    [101, undefined, true],
    [399, undefined, true],
    [400, undefined, false],
    [503, undefined, false],
    [99, undefined, false],
    [201, 201, true],
    [200, 201, false],
    [404, [200, 404], true],
    [500, [200, 404], false],
    [302, 200, false],
  ])('status %i with expectation %j → %s', (status, expected, success) => {
    expect(isSuccessStatus(status, expected)).toBe(success);
  });
});

describe('counts', () => {
  it('keep sent = completed + failed + in flight at every step', () => {
    const counts = createCounts();
    for (let i = 0; i < 6; i++) countSent(counts);
    countResponse(counts, 200, true);
    countResponse(counts, 200, true);
    countResponse(counts, 404, false);
    countError(counts, 'ECONNRESET');
    countError(counts, 'timeout');
    expect(counts).toEqual({
      sent: 6,
      completed: 2,
      failed: 3,
      inFlight: 1,
      byStatus: { '200': 2, '404': 1 },
      byError: { ECONNRESET: 1, timeout: 1 },
    });
    expect(counts.completed + counts.failed + counts.inFlight).toBe(counts.sent);
  });

  it('merge by adding every field and every status and error key', () => {
    const a = { ...createCounts(), sent: 5, completed: 3, failed: 1, inFlight: 1, byStatus: { '200': 3, '500': 1 } };
    const b = { sent: 4, completed: 2, failed: 2, inFlight: 0, byStatus: { '200': 2 }, byError: { timeout: 2 } };
    const merged = mergeCounts(a, b);
    expect(merged).toBe(a);
    expect(merged).toEqual({
      sent: 9,
      completed: 5,
      failed: 3,
      inFlight: 1,
      byStatus: { '200': 5, '500': 1 },
      byError: { timeout: 2 },
    });
    expect(b.byStatus).toEqual({ '200': 2 });
  });
});

/** An OS-level socket error as Node raises it. */
const osError = (code: string, message = `connect ${code} 127.0.0.1:9`) => Object.assign(new Error(message), { code });
/** What Node's fetch() rejects with: a TypeError whose cause is the transport error. */
const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });

describe('classifyError over error shapes', () => {
  it.each<[string, unknown, string]>([
    ['undici headers timeout', new errors.HeadersTimeoutError(), 'timeout'],
    ['undici body timeout', new errors.BodyTimeoutError(), 'timeout'],
    ['undici connect timeout', new errors.ConnectTimeoutError(), 'timeout'],
    ['undici "other side closed"', new errors.SocketError('other side closed'), 'ECONNRESET'],
    ['undici socket error of another kind', new errors.SocketError('boom'), 'ECONNRESET'],
    ['undici request aborted', new errors.RequestAbortedError(), 'UND_ERR_ABORTED'],
    ['undici client destroyed', new errors.ClientDestroyedError(), 'UND_ERR_DESTROYED'],
    ['ECONNRESET', osError('ECONNRESET', 'read ECONNRESET'), 'ECONNRESET'],
    ['ECONNREFUSED', osError('ECONNREFUSED'), 'ECONNREFUSED'],
    ['EPIPE', osError('EPIPE', 'write EPIPE'), 'EPIPE'],
    ['ETIMEDOUT', osError('ETIMEDOUT'), 'timeout'],
    ['EMFILE', osError('EMFILE'), 'EMFILE'],
    ['ENOTFOUND', osError('ENOTFOUND', 'getaddrinfo ENOTFOUND nowhere.invalid'), 'ENOTFOUND'],
    ['an unlisted OS code', osError('EACCES'), 'EACCES'],
    ['fetch failed, caused by a refusal', fetchFailed(osError('ECONNREFUSED')), 'ECONNREFUSED'],
    ['fetch failed, caused by a timeout', fetchFailed(new errors.HeadersTimeoutError()), 'timeout'],
    ['AbortSignal.timeout', new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 'timeout'],
    ['a "socket hang up" without a code', new Error('socket hang up'), 'ECONNRESET'],
    ['a message that says it timed out', new Error('request timed out'), 'timeout'],
    ['a plain Error', new Error('something else'), 'other'],
    ['a string', 'nope', 'other'],
    ['undefined', undefined, 'other'],
    ['null', null, 'other'],
  ])('%s → %s', (_what, error, kind) => {
    expect(classifyError(error)).toBe(kind);
  });

  it("prefers a cause it can name over the wrapper's own code", () => {
    const wrapped = Object.assign(new Error('wrapped'), { code: 'ERR_WRAPPED', cause: osError('ECONNRESET') });
    expect(classifyError(wrapped)).toBe('ECONNRESET');
  });
});

describe('classifyError on errors from real sockets', () => {
  let server: TestServer | undefined;
  let raw: Server | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await new Promise<void>((resolve) => (raw ? raw.close(() => resolve()) : resolve()));
    raw = undefined;
  });

  async function failureOf(url: string, headersTimeoutMs = 10_000): Promise<unknown> {
    try {
      const res = await request(url, { headersTimeout: headersTimeoutMs });
      await res.body.text();
    } catch (error) {
      return error;
    }
    throw new Error(`${url} answered`);
  }

  it('a refused connection (undici and fetch) → ECONNREFUSED', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/`;
    expect(classifyError(await failureOf(url))).toBe('ECONNREFUSED');
    expect(classifyError(await fetch(url).catch((error: unknown) => error))).toBe('ECONNREFUSED');
  });

  it('a server that closes the connection instead of answering → ECONNRESET', async () => {
    raw = createServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    await new Promise<void>((resolve) => raw!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/`;
    expect(classifyError(await failureOf(url))).toBe('ECONNRESET');
  });

  it('a server that never answers → timeout', async () => {
    server = await startServer(() => undefined);
    expect(classifyError(await failureOf(server.url, 100))).toBe('timeout');
  });
});
