// Who may change what, in-process on the memory store: users change only themselves, teams take
// members from their owner (or a team admin, not as owner), ADMIN_TOKEN may do anything; others 403.
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../sut/app.ts';
import { createTokenService } from '../../../sut/auth/token.ts';
import { createMemoryStore, type MemoryStore } from '../../../sut/data/memory-store.ts';
import { silentLogger } from '../../../sut/log.ts';
import { createTestApp, TEST_ADMIN_TOKEN, TEST_SECRET } from '../helpers.ts';

type App = ReturnType<typeof createTestApp>;
const tokens = createTokenService(TEST_SECRET, 3600);
const as = (userId: number) => `Bearer ${tokens.issue(userId).token}`;
const ADMIN = `Bearer ${TEST_ADMIN_TOKEN}`;

let store: MemoryStore;
let app: App;
beforeEach(() => {
  // Seeded: user n is in team ((n - 1) % 5) + 1, users 1–5 own teams 1–5, the rest are members.
  store = createMemoryStore({ users: 20, teams: 5 });
  app = createTestApp(store);
});

async function call(method: string, path: string, authorization: string, body?: unknown, on: App = app) {
  const headers: Record<string, string> = { authorization };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await on.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const forbidden = (message: string) => ({ status: 403, body: { error: { code: 'SUT_FORBIDDEN', message } } });

describe('users change only themselves', () => {
  it('a user updates and deletes their own account', async () => {
    expect(await call('PUT', '/api/users/7', as(7), { name: 'Seven' })).toMatchObject({
      status: 200,
      body: { id: 7, name: 'Seven' },
    });
    expect(await call('DELETE', '/api/users/7', as(7))).toEqual({ status: 200, body: { id: 7, deleted: true } });
  });

  it("another user's account is 403, before the body is read, and nothing changes", async () => {
    expect(await call('PUT', '/api/users/8', as(7), { name: 'Hijacked' })).toEqual(
      forbidden('user 7 may change only their own account, not user 8'),
    );
    expect(await call('PUT', '/api/users/8', as(7), { bogus: true })).toEqual(
      forbidden('user 7 may change only their own account, not user 8'),
    );
    expect(await call('DELETE', '/api/users/8', as(7))).toEqual(
      forbidden('user 7 may change only their own account, not user 8'),
    );
    expect(await store.getUser(8)).toMatchObject({ id: 8, email: 'user8@example.test' });
  });

  it('the admin token updates and deletes any account', async () => {
    expect(await call('PUT', '/api/users/8', ADMIN, { name: 'By Admin' })).toMatchObject({
      status: 200,
      body: { id: 8, name: 'By Admin' },
    });
    expect(await call('DELETE', '/api/users/8', ADMIN)).toEqual({ status: 200, body: { id: 8, deleted: true } });
    expect(await call('DELETE', '/api/users/8', ADMIN)).toMatchObject({
      status: 404,
      body: { error: { code: 'SUT_NOT_FOUND' } },
    });
  });

  it('without ADMIN_TOKEN configured, that string is just an invalid bearer token (401)', async () => {
    const noAdmin = createApp({
      store,
      tokens,
      log: silentLogger,
      nodeId: 'test-node',
      workerId: '0',
      bodyLimitBytes: 4096,
    });
    expect(await call('PUT', '/api/users/8', ADMIN, { name: 'X' }, noAdmin)).toEqual({
      status: 401,
      body: { error: { code: 'SUT_UNAUTHORIZED', message: 'invalid bearer token' } },
    });
  });

  it('an admin token with one character changed is refused like any bad token', async () => {
    const near = `Bearer ${TEST_ADMIN_TOKEN.slice(0, -1)}X`;
    expect(await call('DELETE', '/api/users/8', near)).toEqual({
      status: 401,
      body: { error: { code: 'SUT_UNAUTHORIZED', message: 'invalid bearer token' } },
    });
  });
});

describe('team members are added by the team owner, a team admin, or the admin token', () => {
  it('creating a team makes the creator its owner', async () => {
    const created = await call('POST', '/api/teams', as(7), { name: 'Sevens' });
    expect(created.status).toBe(201);
    const team = await store.getTeam(created.body.id as number);
    expect(team!.members).toEqual([expect.objectContaining({ userId: 7, role: 'owner' })]);
  });

  it('a team created with the admin token has no members until the admin adds an owner', async () => {
    const created = await call('POST', '/api/teams', ADMIN, { name: 'Operators' });
    const id = created.body.id as number;
    expect((await store.getTeam(id))!.members).toEqual([]);
    expect(await call('POST', `/api/teams/${id}/members`, as(7), { userId: 7, role: 'owner' })).toEqual(
      forbidden(`only an owner or admin of team ${id} may add members; user 7 is not a member`),
    );
    expect(await call('POST', `/api/teams/${id}/members`, ADMIN, { userId: 7, role: 'owner' })).toMatchObject({
      status: 201,
      body: { userId: 7, role: 'owner' },
    });
  });

  it('the owner adds members of every role', async () => {
    // Seeded team 2: user 2 owns it, users 7, 12, 17 are members.
    for (const [userId, role] of [
      [3, 'member'],
      [4, 'admin'],
      [5, 'owner'],
    ] as const) {
      expect(await call('POST', '/api/teams/2/members', as(2), { userId, role })).toMatchObject({
        status: 201,
        body: { userId, role },
      });
    }
  });

  it('a team admin adds members and admins but not owners', async () => {
    await call('POST', '/api/teams/2/members', as(2), { userId: 3, role: 'admin' });
    expect(await call('POST', '/api/teams/2/members', as(3), { userId: 4 })).toMatchObject({
      status: 201,
      body: { userId: 4, role: 'member' },
    });
    expect(await call('POST', '/api/teams/2/members', as(3), { userId: 5, role: 'admin' })).toMatchObject({
      status: 201,
    });
    expect(await call('POST', '/api/teams/2/members', as(3), { userId: 6, role: 'owner' })).toEqual(
      forbidden('only an owner of team 2 may add an owner; user 3 is an admin'),
    );
  });

  it('a plain member and an outsider get 403, and the team is unchanged', async () => {
    expect(await call('POST', '/api/teams/2/members', as(7), { userId: 3 })).toEqual(
      forbidden('only an owner or admin of team 2 may add members; user 7 is a member'),
    );
    expect(await call('POST', '/api/teams/2/members', as(1), { userId: 3 })).toEqual(
      forbidden('only an owner or admin of team 2 may add members; user 1 is not a member'),
    );
    expect((await store.getTeam(2))!.members.map((m) => m.userId)).toEqual([2, 7, 12, 17]);
  });

  it('the admin token adds anyone to any team; an unknown team is 404 for everyone', async () => {
    expect(await call('POST', '/api/teams/3/members', ADMIN, { userId: 4, role: 'owner' })).toMatchObject({
      status: 201,
    });
    for (const authorization of [ADMIN, as(1)]) {
      expect(await call('POST', '/api/teams/999/members', authorization, { userId: 4 })).toMatchObject({
        status: 404,
        body: { error: { code: 'SUT_NOT_FOUND' } },
      });
    }
  });

  it("a deleted user's token, still unexpired, cannot found a team (401) and leaves none behind", async () => {
    const token = as(9);
    await call('DELETE', '/api/users/9', token);
    const before = (await store.listTeams({ limit: 100 })).length;
    expect(await call('POST', '/api/teams', token, { name: 'Ghost' })).toEqual({
      status: 401,
      body: { error: { code: 'SUT_UNAUTHORIZED', message: 'the account of this token (user 9) no longer exists' } },
    });
    expect(await store.listTeams({ limit: 100 })).toHaveLength(before);
  });
});
