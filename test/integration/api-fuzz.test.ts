// Property: no input produces a 5xx. fast-check throws random strings (unicode, lone surrogates,
// control characters, broken percent-encoding), numbers, nulls, arrays and object shapes at every
// route's path parameters, query and JSON body, over a real socket on the real PostgreSQL; every
// answer must be 2xx or 4xx JSON, and the server must still answer /health and /ready afterwards.
// The one 5xx allowed is documented: without Redis the task routes answer 503 SUT_QUEUE_UNAVAILABLE.
// A failure prints fast-check's seed and the shrunk request; FUZZ_SEED=<seed> replays it.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../sut/config.ts';
import { silentLogger } from '../../sut/log.ts';
import { startWorker, type Worker } from '../../sut/worker.ts';
import { TEST_ADMIN_TOKEN, TEST_SECRET, testTokens } from '../sut/helpers.ts';

const RUNS = 300;
let worker: Worker;
let base: string;
/** A user of this test's own: the fuzz changes only it (and what it creates), never seeded rows. */
let self: { id: number; token: string };

beforeAll(async () => {
  const config = loadConfig({
    PORT: '0',
    AUTH_SECRET: TEST_SECRET,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    DB_POOL_MAX: '4',
    CACHE: 'off', // every read reaches PostgreSQL
    NODE_ID: 'fuzz-node',
  });
  worker = await startWorker(config, inject('databaseUrl'), silentLogger); // no Redis: tasks answer 503
  base = `http://127.0.0.1:${worker.port}`;
  const email = `fuzz-${Date.now()}-${Math.random().toString(36).slice(2)}@example.test`;
  const created = await send('POST', '/api/users', {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${testTokens().token}` },
    body: JSON.stringify({ email, name: 'Fuzz Self', password: 'fuzz-password' }),
  });
  expect(created.status).toBe(201);
  const login = await send('POST', '/api/auth/login', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'fuzz-password' }),
  });
  self = { id: (created.json as { id: number }).id, token: (login.json as { token: string }).token };
});
afterAll(async () => {
  await worker?.close(1000);
});

async function send(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) {
  const res = await fetch(base + path, { method, headers: init.headers, body: init.body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json };
}

// ---- arbitraries ----------------------------------------------------------------------------------

const control = fc.constantFrom(...[...Array(0x20).keys(), 0x7f].map((c) => String.fromCharCode(c)));
/** NUL is the one PostgreSQL itself refuses: it comes up more often than the other control characters. */
const nulOrControl = fc.oneof(fc.constant('\u0000'), control);
/** A plausible value with a control character put somewhere inside it. */
const spoiled = (plausible: fc.Arbitrary<string>) =>
  fc.tuple(plausible, nulOrControl, fc.nat()).map(([s, c, n]) => {
    const at = n % (s.length + 1);
    return s.slice(0, at) + c + s.slice(at);
  });
/** Text of every kind: ASCII, any code point (lone surrogates too), graphemes, control characters. */
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  spoiled(fc.string({ maxLength: 20 })),
  fc.constantFrom('', ' ', 'user1@example.test', "' OR 1=1 --", '%_\\', '\ud800', 'a'.repeat(300), 'NaN', '1e309'),
);
const numberLike = fc.oneof(
  fc.integer(),
  fc.integer({ min: 1, max: 120_000 }),
  fc.double(),
  fc.constantFrom(0, -1, 2 ** 53, 1e308, -0, Number.MAX_SAFE_INTEGER + 2),
);
/** A JSON value of any type. */
const value: fc.Arbitrary<unknown> = fc.oneof(
  text,
  numberLike,
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.oneof(text, numberLike), { maxLength: 4 }),
  fc.jsonValue({ maxDepth: 2 }),
);
/** A field as a route reads it: plausible, plausible with a control character inside, or anything. */
const field = (plausible: fc.Arbitrary<unknown>, spoil?: fc.Arbitrary<string>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { arbitrary: plausible, weight: 2 },
    { arbitrary: spoil ?? plausible, weight: spoil ? 3 : 0 },
    { arbitrary: value, weight: 1 },
  );
const textField = (plausible: fc.Arbitrary<string>) => field(plausible, spoiled(plausible));
const email = textField(fc.oneof(fc.emailAddress(), fc.constantFrom('user1@example.test', 'user77@example.test')));
const name = textField(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }));
const password = textField(fc.constantFrom('loadlab-demo', 'fuzz-password', 'long-enough-123'));
const optional = { requiredKeys: [] as never[] };
const FIELD_NAMES = ['email', 'name', 'password', 'userId', 'role', 'type', 'args', 'teamId'];
const toJson = (shape: fc.Arbitrary<unknown>) => shape.map((v) => JSON.stringify(v));
/** Any JSON at all, any of the routes' field names with values of any type, or not JSON. */
const anyBody: fc.Arbitrary<string> = fc.oneof(
  toJson(fc.jsonValue({ maxDepth: 3 })),
  toJson(fc.record(Object.fromEntries(FIELD_NAMES.map((f) => [f, value])), optional)),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
/** Mostly the route's own shape (past the type checks, into the rules and the database), sometimes anything. */
const bodyOf = (shape: fc.Arbitrary<unknown>): fc.Arbitrary<string> =>
  fc.oneof({ arbitrary: toJson(shape), weight: 4 }, { arbitrary: anyBody, weight: 1 });
const BODIES = {
  login: bodyOf(fc.record({ email, password })),
  createUser: bodyOf(fc.record({ email, name, password })),
  updateUser: bodyOf(fc.record({ email, name }, optional)),
  team: bodyOf(fc.record({ name })),
  member: bodyOf(
    fc.record({ userId: field(numberLike), role: textField(fc.constantFrom('owner', 'admin', 'member')) }, optional),
  ),
  task: bodyOf(
    fc.record({ type: textField(fc.constant('generate_report')), args: field(fc.record({ teamId: numberLike })) }),
  ),
  any: anyBody,
};

/** A string as it goes into a URL: percent-encoded, a lone surrogate as a raw (invalid UTF-8) escape. */
const encode = (s: string) =>
  s.replace(/\p{Surrogate}|[^\p{Surrogate}]+/gu, (part) =>
    /\p{Surrogate}/u.test(part) ? '%ED%A0%80' : encodeURIComponent(part),
  );
const pathParam = fc.oneof(
  text.map(encode),
  numberLike.map((n) => encode(String(n))),
  fc.constantFrom('%E0%A4%A', '%00', '%', '..', '1%2F2', '007', '0'),
  fc.constant('SELF'), // this test's own user id
  fc.constant('SELF'),
);
const queryKeys = fc.oneof(
  { arbitrary: fc.constantFrom('limit', 'offset', 'cursor', 'q'), weight: 3 },
  { arbitrary: text, weight: 1 },
);
const query = fc
  .array(fc.tuple(queryKeys, fc.oneof(text, numberLike.map(String))), { maxLength: 4 })
  .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}` : ''));

interface Route {
  /** How often it is picked: the routes that take text to PostgreSQL more often. */
  weight?: number;
  method: string;
  path: (param: string) => string;
  query?: boolean;
  body?: keyof typeof BODIES;
  /** Answers 503 SUT_QUEUE_UNAVAILABLE by design here: this SUT runs without Redis. */
  needsQueue?: boolean;
}
const ROUTES: Route[] = [
  { method: 'GET', path: () => '/health' },
  { method: 'GET', path: () => '/ready' },
  { method: 'GET', path: () => '/api/health/worker' },
  { method: 'POST', path: () => '/api/auth/login', body: 'login', weight: 3 },
  { method: 'GET', path: () => '/api/users', query: true },
  { method: 'GET', path: () => '/api/users/search', query: true, weight: 3 },
  { method: 'GET', path: (p) => `/api/users/${p}`, query: true },
  { method: 'POST', path: () => '/api/users', body: 'createUser', weight: 3 },
  { method: 'PUT', path: (p) => `/api/users/${p}`, body: 'updateUser', weight: 3 },
  { method: 'DELETE', path: (p) => `/api/users/${p}` },
  { method: 'GET', path: () => '/api/teams', query: true },
  { method: 'GET', path: (p) => `/api/teams/${p}`, query: true },
  { method: 'POST', path: () => '/api/teams', body: 'team', weight: 3 },
  { method: 'POST', path: (p) => `/api/teams/${p}/members`, body: 'member' },
  { method: 'POST', path: () => '/api/tasks', body: 'task', needsQueue: true },
  { method: 'GET', path: (p) => `/api/tasks/${p}`, needsQueue: true },
  { method: 'POST', path: () => '/admin/cache/flush', body: 'any' },
];

const request = fc
  .oneof(...ROUTES.map((route) => ({ arbitrary: fc.constant(route), weight: route.weight ?? 1 })))
  .chain((route) =>
    fc.record({
      route: fc.constant(route),
      param: pathParam,
      query,
      body: route.body ? BODIES[route.body] : fc.constant(undefined),
      contentType: fc.oneof(
        { arbitrary: fc.constant('application/json'), weight: 12 },
        {
          arbitrary: fc.constantFrom('application/json; charset=utf-8', 'text/plain', '', 'application/jsonx'),
          weight: 1,
        },
      ),
      auth: fc.oneof(
        { arbitrary: fc.constant('self'), weight: 6 },
        { arbitrary: fc.constantFrom('none', 'admin'), weight: 2 },
        { arbitrary: fc.string({ maxLength: 40 }).map((s) => `Bearer ${s.replace(/[\r\n]/g, '')}`), weight: 1 },
      ),
    }),
  );

describe('no input produces a 5xx (fast-check, real PostgreSQL)', () => {
  it(`${RUNS} random requests across every route: each answer is 2xx or 4xx JSON with a coded error`, async () => {
    const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const path = r.route.path(r.param === 'SELF' ? String(self.id) : r.param) + (r.route.query ? r.query : '');
        const headers: Record<string, string> = {};
        if (r.auth === 'self') headers.authorization = `Bearer ${self.token}`;
        // The admin token may change any user and any team: not where it could change the shared database's seeded rows.
        else if (r.auth === 'admin' && !['PUT', 'DELETE'].includes(r.route.method) && !path.includes('/members'))
          headers.authorization = `Bearer ${TEST_ADMIN_TOKEN}`;
        else if (r.auth.startsWith('Bearer ')) headers.authorization = r.auth;
        if (r.body !== undefined && r.contentType) headers['content-type'] = r.contentType;
        const res = await send(r.route.method, path, { headers, body: r.body });
        const code = (res.json as { error?: { code?: string } } | undefined)?.error?.code;
        const answer = code === undefined ? String(res.status) : `${res.status} ${code}`;
        seen.set(answer, (seen.get(answer) ?? 0) + 1);

        const what = `${r.route.method} ${path} ${JSON.stringify(headers)} ${r.body ?? ''} → ${res.status} ${res.text.slice(0, 300)}`;
        expect(res.contentType, what).toMatch(/^application\/json/);
        if (r.route.needsQueue && res.status === 503) {
          expect(code, what).toBe('SUT_QUEUE_UNAVAILABLE');
          return;
        }
        expect(res.status, what).toBeGreaterThanOrEqual(200);
        expect(res.status, what).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.json, what).toMatchObject({
            error: { code: expect.stringMatching(/^SUT_[A-Z_]+$/), message: expect.any(String) },
          });
        }
      }),
      { numRuns: RUNS, ...(seed === undefined ? {} : { seed }) },
    );
    if (process.env.FUZZ_STATS)
      console.log(
        [...seen]
          .sort()
          .map(([k, n]) => `${k}: ${n}`)
          .join('\n'),
      );
    // The walk reached past validation: successes, refusals by rule and by owner, and missing rows.
    const statuses = new Set([...seen.keys()].map((answer) => answer.slice(0, 3)));
    for (const answer of ['200', '400 SUT_VALIDATION', '401 SUT_UNAUTHORIZED', '403 SUT_FORBIDDEN']) {
      expect(seen.get(answer), `${answer} among ${[...seen.keys()].join(', ')}`).toBeGreaterThan(0);
    }
    expect(statuses, 'some 404').toContain('404');
    expect((await send('GET', '/health')).status).toBe(200);
    expect((await send('GET', '/ready')).status).toBe(200);
  }, 60_000);
});
