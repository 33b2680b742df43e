// What an error body may say: at most 64 characters of a value the client sent, no PostgreSQL text,
// no Redis host or port, and a bare SUT_INTERNAL for a bug. In-process, on stores that fail on purpose.
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../sut/app.ts';
import { createTokenService } from '../../../sut/auth/token.ts';
import { createMemoryStore } from '../../../sut/data/memory-store.ts';
import { mapPgError } from '../../../sut/data/pg-errors.ts';
import type { Store } from '../../../sut/data/store.ts';
import { UnavailableError } from '../../../sut/errors.ts';
import type { TaskQueue } from '../../../sut/jobs/task.ts';
import { silentLogger } from '../../../sut/log.ts';
import { ECHO_MAX_CHARS, quote } from '../../../sut/routes/input.ts';
import { createTestApp, TEST_SECRET, testTokens } from '../helpers.ts';

const { token } = testTokens();
const auth = { 'content-type': 'application/json', authorization: `Bearer ${token}` };

async function answer(
  app: { request: (path: string, init: RequestInit) => Response | Promise<Response> },
  path: string,
  init: RequestInit = {},
) {
  const res = await app.request(path, init);
  return { status: res.status, body: (await res.json()) as { error: { code: string; message: string } } };
}

describe('quote', () => {
  it('keeps a short value whole and cuts a long one to 64 characters (by code point) and "…"', () => {
    expect(ECHO_MAX_CHARS).toBe(64);
    expect(quote('abc')).toBe('"abc"');
    expect(quote('x'.repeat(64))).toBe(`"${'x'.repeat(64)}"`);
    expect(quote('x'.repeat(65))).toBe(`"${'x'.repeat(64)}…"`);
    expect(quote('😀'.repeat(70))).toBe(`"${'😀'.repeat(64)}…"`);
  });
});

describe('a bad value is quoted back, 64 characters at most', () => {
  const app = createTestApp(createMemoryStore({ users: 3, teams: 1 }));
  const long = 'z'.repeat(1000); // under the test body limit (4096 bytes)
  const cut = `"${'z'.repeat(64)}…"`;

  it.each([
    ['a path id', `/api/users/${long}`, {}, 400, `id must be a positive whole number, got ${cut}`],
    ['a query value', `/api/users?limit=${long}`, {}, 400, `limit must be a whole number from 1 to 100, got ${cut}`],
    [
      'a content type',
      '/api/users',
      { method: 'POST', body: '{}', headers: { authorization: auth.authorization, 'content-type': `text/${long}` } },
      415,
      `send the body as application/json (got "text/${'z'.repeat(59)}…")`,
    ],
    [
      'unknown body keys',
      '/api/teams',
      {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ name: 'T', [long]: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6 }),
      },
      400,
      `invalid body: unknown fields ${cut}, "k2", "k3", "k4", "k5" and 1 more`,
    ],
  ])('%s', async (_what, path, init, status, message) => {
    const res = await answer(app, path, init);
    expect(res.status).toBe(status);
    expect(res.body.error.message).toBe(message);
    expect(JSON.stringify(res.body)).not.toContain('z'.repeat(65)); // details included
  });

  it('broken JSON: V8 quotes a few characters of the body, and never more than 120 characters of its message', async () => {
    const res = await answer(app, '/api/teams', { method: 'POST', headers: auth, body: `{"name": ${long}` });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('SUT_BAD_JSON');
    expect(res.body.error.message.length).toBeLessThanOrEqual('the body is not valid JSON: '.length + 121);
    expect(res.body.error.message).not.toContain('z'.repeat(65));
  });
});

/** A store whose every user read fails with `err` as the pg store would throw it (mapped first). */
function failingStore(err: Error): Store {
  const store = createMemoryStore({ users: 3 });
  const mapped = mapPgError(err);
  if (!(mapped instanceof Error)) throw new Error('mapPgError returned a non-error');
  return { ...store, getUser: () => Promise.reject(mapped) };
}

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('failures of the database and the queue reach the client without their own text', () => {
  it('a bug (an unexpected PostgreSQL error) is a bare 500 SUT_INTERNAL', async () => {
    const app = createTestApp(failingStore(pgError('42P01', 'relation "users" does not exist (10.0.0.5:5432)')));
    expect(await answer(app, '/api/users/1')).toEqual({
      status: 500,
      body: { error: { code: 'SUT_INTERNAL', message: 'a bug: reported, never expected' } },
    });
  });

  it('a data exception (SQLSTATE class 22) is 400', async () => {
    const app = createTestApp(failingStore(pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00')));
    expect(await answer(app, '/api/users/1')).toEqual({
      status: 400,
      body: {
        error: {
          code: 'SUT_VALIDATION',
          message: 'a value in the request is not one the database accepts (SQLSTATE 22021)',
        },
      },
    });
  });

  it('a statement timeout (57014) is 503 SUT_DB_TIMEOUT', async () => {
    const app = createTestApp(failingStore(pgError('57014', 'canceling statement due to statement timeout')));
    expect(await answer(app, '/api/users/1')).toEqual({
      status: 503,
      body: { error: { code: 'SUT_DB_TIMEOUT', message: 'the database did not answer in time (statement timeout)' } },
    });
  });

  it("a queue error quoting Redis's address reaches the client without it", async () => {
    const cause = new Error('connect ECONNREFUSED 10.9.8.7:6379');
    const down = new UnavailableError(
      'SUT_QUEUE_UNAVAILABLE',
      `the job queue is unavailable: Redis cannot be reached (${cause.message}); set REDIS_URL`,
      cause,
    );
    const queue = { enqueue: () => Promise.reject(down), get: () => Promise.reject(down) } as unknown as TaskQueue;
    const app = createApp({
      store: createMemoryStore(),
      tokens: createTokenService(TEST_SECRET, 3600),
      log: silentLogger,
      nodeId: 'n',
      workerId: '0',
      bodyLimitBytes: 4096,
      queue,
    });
    const res = await answer(app, '/api/tasks', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ type: 'generate_report', args: { teamId: 1 } }),
    });
    expect(res).toEqual({
      status: 503,
      body: {
        error: {
          code: 'SUT_QUEUE_UNAVAILABLE',
          message: 'the job queue is unavailable: Redis cannot be reached; set REDIS_URL',
        },
      },
    });
    expect(down.cause).toBe(cause); // kept for whoever logs it
    expect(new UnavailableError('SUT_DB_UNAVAILABLE', `lost: ${cause.message}`, cause).message).toBe(
      'lost: (cause withheld)',
    );
  });
});
