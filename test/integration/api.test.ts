// The API over a real socket on real PostgreSQL (embedded by default, DATABASE_URL in CI).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTokenService } from '../../sut/auth/token.ts';
import { loadConfig } from '../../sut/config.ts';
import { DEMO_PASSWORD } from '../../sut/data/store.ts';
import { silentLogger } from '../../sut/log.ts';
import { startWorker, type Worker } from '../../sut/worker.ts';
import { badRequests } from '../sut/bad-requests.ts';
import { TEST_ADMIN_TOKEN, TEST_BODY_LIMIT, TEST_SECRET, testTokens } from '../sut/helpers.ts';

const tokens = testTokens();
let worker: Worker;
let base: string;

beforeAll(async () => {
  const config = loadConfig({
    PORT: '0',
    AUTH_SECRET: TEST_SECRET,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    BODY_LIMIT_BYTES: String(TEST_BODY_LIMIT),
    LOG_LEVEL: 'silent',
    DB_POOL_MAX: '4',
    NODE_ID: 'it-node',
  });
  worker = await startWorker(config, inject('databaseUrl'), silentLogger);
  base = `http://127.0.0.1:${worker.port}`;
});
afterAll(async () => {
  await worker?.close(1000);
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

describe('API on real PostgreSQL', () => {
  it('serves seeded data: user 1, the first page, team 1 with members', async () => {
    const user = await call('GET', '/api/users/1');
    expect(user.status).toBe(200);
    expect(user.body.email).toBe('user1@example.test');
    expect(user.headers.get('x-node-id')).toBe('it-node');
    const page = await call('GET', '/api/users?limit=3');
    expect(page.body.items.map((u: { id: number }) => u.id)).toEqual([1, 2, 3]);
    const team = await call('GET', '/api/teams/1');
    expect(team.status).toBe(200);
    expect(team.body.members.length).toBeGreaterThan(0);
  });

  it('the last seeded user exists and the one after it does not (before any create)', async () => {
    expect((await call('GET', '/api/users/100000')).status).toBe(200);
    const search = await call('GET', '/api/users/search?q=user99999&limit=100');
    expect(search.body.items.map((u: { email: string }) => u.email)).toContain('user99999@example.test');
  });

  it('logs in, creates, reads through the cache, updates and deletes', async () => {
    const login = await call('POST', '/api/auth/login', { email: 'user5@example.test', password: DEMO_PASSWORD });
    expect(login.status).toBe(200);
    const auth = { authorization: `Bearer ${login.body.token}` };
    const email = `it-${Date.now()}-${Math.random().toString(36).slice(2)}@example.test`;
    const created = await call(
      'POST',
      '/api/users',
      { email, name: 'Integration Ünïcode', password: 'long-enough' },
      auth,
    );
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    expect(id).toBeGreaterThan(100_000);

    const first = await call('GET', `/api/users/${id}`);
    const second = await call('GET', `/api/users/${id}`);
    expect([first.headers.get('x-cache'), second.headers.get('x-cache')]).toEqual(['miss', 'hit']);

    const dup = await call('POST', '/api/users', { email, name: 'Again', password: 'long-enough' }, auth);
    expect(dup).toMatchObject({ status: 409, body: { error: { code: 'SUT_CONFLICT' } } });

    // Only the new user (or the admin token) changes the new user; its creator, user 5, may not.
    expect((await call('PUT', `/api/users/${id}`, { name: 'By Creator' }, auth)).status).toBe(403);
    const own = await call('POST', '/api/auth/login', { email, password: 'long-enough' });
    const self = { authorization: `Bearer ${own.body.token}` };
    expect((await call('PUT', `/api/users/${id}`, { name: 'Renamed' }, self)).body.name).toBe('Renamed');
    expect((await call('GET', `/api/users/${id}`)).body.name).toBe('Renamed');
    expect((await call('DELETE', `/api/users/${id}`, undefined, auth)).status).toBe(403);
    expect((await call('DELETE', `/api/users/${id}`, undefined, self)).status).toBe(200);
    expect((await call('GET', `/api/users/${id}`)).status).toBe(404);
  });

  it('the admin token updates and deletes any user', async () => {
    const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    const email = `it-admin-${Date.now()}-${Math.random().toString(36).slice(2)}@example.test`;
    const created = await call('POST', '/api/users', { email, name: 'Managed', password: 'long-enough' }, admin);
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    expect(await call('PUT', `/api/users/${id}`, { name: 'By Admin' }, admin)).toMatchObject({
      status: 200,
      body: { id, name: 'By Admin' },
    });
    expect(await call('DELETE', `/api/users/${id}`, undefined, admin)).toMatchObject({
      status: 200,
      body: { id, deleted: true },
    });
  });

  it('creates a team and adds members', async () => {
    const auth = { authorization: `Bearer ${tokens.token}` };
    const team = await call('POST', '/api/teams', { name: `it-team-${Date.now()}` }, auth);
    expect(team.status).toBe(201);
    expect((await call('POST', `/api/teams/${team.body.id}/members`, { userId: 10, role: 'owner' }, auth)).status).toBe(
      201,
    );
    expect((await call('POST', `/api/teams/${team.body.id}/members`, { userId: 10 }, auth)).status).toBe(409);
    const got = await call('GET', `/api/teams/${team.body.id}`);
    expect(got.body.members).toEqual([
      expect.objectContaining({ userId: 1, role: 'owner' }), // the creator
      expect.objectContaining({ userId: 10, role: 'owner' }),
    ]);
    // User 10, now an owner, adds someone; user 11, a member of no such team, may not.
    const asTen = { authorization: `Bearer ${createTokenService(TEST_SECRET, 3600).issue(10).token}` };
    const asEleven = { authorization: `Bearer ${createTokenService(TEST_SECRET, 3600).issue(11).token}` };
    expect((await call('POST', `/api/teams/${team.body.id}/members`, { userId: 12 }, asTen)).status).toBe(201);
    expect(await call('POST', `/api/teams/${team.body.id}/members`, { userId: 13 }, asEleven)).toMatchObject({
      status: 403,
      body: { error: { code: 'SUT_FORBIDDEN' } },
    });
  });
});

describe('bad requests over a real socket', () => {
  it.each(badRequests(tokens).map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const res = await fetch(base + c.path, {
      method: c.method,
      headers: c.headers,
      body: c.body === undefined || c.method === 'GET' ? undefined : c.body,
    });
    const text = await res.text();
    expect(res.status, text).toBe(c.status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    if (c.code) expect(JSON.parse(text).error.code).toBe(c.code);
  });

  it('still answers /health after all of them', async () => {
    expect((await call('GET', '/health')).status).toBe(200);
  });
});
