// The API in-process on the memory store: every route's happy path, headers, and the bad-request table.
import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../sut/data/memory-store.ts';
import { DEMO_PASSWORD } from '../../../sut/data/store.ts';
import { badRequests } from '../bad-requests.ts';
import { createTestApp, testTokens } from '../helpers.ts';

type App = ReturnType<typeof createTestApp>;
const tokens = testTokens();
const auth = { 'content-type': 'application/json', authorization: `Bearer ${tokens.token}` };

let app: App;
beforeEach(() => {
  app = createTestApp(createMemoryStore({ users: 50, teams: 5 }));
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = auth) {
  const res = await app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

describe('API routes (memory store)', () => {
  it('GET /health answers ok with node and worker headers', async () => {
    const res = await call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(Number.isNaN(Date.parse(res.body.timestamp))).toBe(false);
    expect(res.headers.get('x-node-id')).toBe('test-node');
    expect(res.headers.get('x-worker-id')).toBe('0');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('logs in a seeded user with the demo password and the token opens the write routes', async () => {
    const login = await call(
      'POST',
      '/api/auth/login',
      { email: 'user2@example.test', password: DEMO_PASSWORD },
      { 'content-type': 'application/json' },
    );
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ tokenType: 'Bearer', userId: 2 });
    const created = await call(
      'POST',
      '/api/teams',
      { name: 'Fresh' },
      { 'content-type': 'application/json', authorization: `Bearer ${login.body.token}` },
    );
    expect(created.status).toBe(201);
  });

  it('lists users by offset and by cursor with the same result', async () => {
    const first = await call('GET', '/api/users?limit=10');
    expect(first.status).toBe(200);
    expect(first.body.items.map((u: { id: number }) => u.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(first.body.nextCursor).toBe('10');
    const byCursor = await call('GET', '/api/users?limit=5&cursor=10');
    const byOffset = await call('GET', '/api/users?limit=5&offset=10');
    expect(byCursor.body.items).toEqual(byOffset.body.items);
    expect(byCursor.body.items[0].id).toBe(11);
    const last = await call('GET', '/api/users?limit=100&offset=40');
    expect(last.body.items).toHaveLength(10);
    expect(last.body.nextCursor).toBeNull();
  });

  it('gets a user without exposing the password hash', async () => {
    const res = await call('GET', '/api/users/7');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['createdAt', 'email', 'id', 'name', 'updatedAt']);
    expect(res.body).toMatchObject({ id: 7, email: 'user7@example.test' });
  });

  it('searches by email prefix, case-insensitively', async () => {
    const res = await call('GET', '/api/users/search?q=USER4');
    expect(res.status).toBe(200);
    expect(res.body.items.map((u: { id: number }) => u.id)).toEqual([4, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
  });

  it('creates, updates and deletes a user', async () => {
    const created = await call('POST', '/api/users', {
      email: 'New.Person@Example.test',
      name: 'Zoë Ünicode 😀',
      password: 'long-enough',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'new.person@example.test', name: 'Zoë Ünicode 😀' });
    expect(created.body).not.toHaveProperty('passwordHash');
    const id = created.body.id as number;
    const login = await call('POST', '/api/auth/login', { email: 'new.person@example.test', password: 'long-enough' });
    expect(login.status).toBe(200);
    // Only the new user changes the new user: the creator's token (user 1) may not.
    const self = { 'content-type': 'application/json', authorization: `Bearer ${login.body.token}` };
    expect((await call('PUT', `/api/users/${id}`, { name: 'By Creator' })).status).toBe(403);

    const updated = await call('PUT', `/api/users/${id}`, { name: 'Renamed' }, self);
    expect(updated.status).toBe(200);
    expect(updated.body.name).toBe('Renamed');
    expect((await call('GET', `/api/users/${id}`)).body.name).toBe('Renamed');

    expect((await call('DELETE', `/api/users/${id}`)).status).toBe(403);
    expect(await call('DELETE', `/api/users/${id}`, undefined, self)).toMatchObject({
      status: 200,
      body: { id, deleted: true },
    });
    expect((await call('GET', `/api/users/${id}`)).status).toBe(404);
  });

  it('lists teams, gets one with members, creates one and adds a member', async () => {
    const list = await call('GET', '/api/teams?limit=2');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(2);
    const team = await call('GET', '/api/teams/1');
    expect(team.status).toBe(200);
    expect(team.body.members.length).toBeGreaterThan(0);

    const created = await call('POST', '/api/teams', { name: 'Platform' });
    expect(created.status).toBe(201);
    const added = await call('POST', `/api/teams/${created.body.id}/members`, { userId: 3, role: 'admin' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ userId: 3, role: 'admin' });
    const again = await call('POST', `/api/teams/${created.body.id}/members`, { userId: 3 });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'SUT_CONFLICT' } } });
    const withMember = await call('GET', `/api/teams/${created.body.id}`);
    expect(withMember.body.members).toEqual([
      expect.objectContaining({ userId: 1, role: 'owner' }), // the creator
      expect.objectContaining({ userId: 3, role: 'admin' }),
    ]);
  });

  it('answers 405 with an Allow header', async () => {
    const res = await app.request('/api/users/1', { method: 'PATCH' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('GET');
  });
});

describe('bad requests (memory store)', () => {
  it.each(badRequests(tokens).map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const res = await app.request(c.path, { method: c.method, headers: c.headers, body: c.body });
    const body = (await res.json()) as { error?: { code: string; message: string } };
    expect(res.status).toBe(c.status);
    if (c.code) {
      expect(body.error?.code).toBe(c.code);
      expect(body.error?.message.length).toBeGreaterThan(3);
    }
    expect((await app.request('/health')).status).toBe(200);
  });

  it('has at least 30 rows', () => {
    expect(badRequests(tokens).filter((c) => c.status >= 400).length).toBeGreaterThanOrEqual(30);
  });
});
