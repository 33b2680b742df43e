// Login does the same work whatever the email: an unknown account pays one scrypt of the same cost
// against a dummy hash, so neither the answer nor the time tells which accounts exist. The test
// counts the scrypt calls (node:crypto's, spied on), not the time.
import { scrypt } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkLogin, DUMMY_PASSWORD_HASH } from '../../../sut/auth/password.ts';
import { createMemoryStore } from '../../../sut/data/memory-store.ts';
import { DEMO_PASSWORD } from '../../../sut/data/store.ts';
import { createTestApp } from '../helpers.ts';

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, scrypt: vi.fn(real.scrypt) };
});

const scryptSpy = vi.mocked(scrypt);
const app = createTestApp(createMemoryStore({ users: 10, teams: 2 }));

async function login(email: string, password: string) {
  const res = await app.request('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** [password, salt (hex), key length, options] of each scrypt call since the last reset. */
const calls = () =>
  scryptSpy.mock.calls.map(([password, salt, keylen, options]) => [
    password,
    Buffer.from(salt as Buffer).toString('hex'),
    keylen,
    options,
  ]);

const WRONG = { status: 401, body: { error: { code: 'SUT_UNAUTHORIZED', message: 'wrong email or password' } } };

beforeAll(async () => {
  await login('user1@example.test', DEMO_PASSWORD); // the memory store hashes the demo password once
});
beforeEach(() => {
  scryptSpy.mockClear();
});

describe('login pays one scrypt whether or not the account exists', () => {
  it('an unknown email: 401, after one scrypt against the dummy hash', async () => {
    expect(await login('nobody@example.test', 'some-password')).toEqual(WRONG);
    const salt = DUMMY_PASSWORD_HASH.split('$')[1];
    expect(calls()).toEqual([['some-password', salt, 32, { N: 1024 }]]);
  });

  it('a known email with a wrong password: the same 401 after one scrypt of the same cost', async () => {
    expect(await login('user2@example.test', 'some-password')).toEqual(WRONG);
    expect(calls()).toEqual([['some-password', expect.stringMatching(/^[0-9a-f]{32}$/), 32, { N: 1024 }]]);
  });

  it('the right password: 200 after one scrypt', async () => {
    expect(await login('user3@example.test', DEMO_PASSWORD)).toMatchObject({ status: 200, body: { userId: 3 } });
    expect(scryptSpy).toHaveBeenCalledTimes(1);
  });

  it('a malformed body is refused before any scrypt', async () => {
    expect((await login('user3@example.test', '')).status).toBe(400);
    expect(scryptSpy).not.toHaveBeenCalled();
  });
});

describe('checkLogin', () => {
  it('no stored hash: false, and the dummy is checked all the same', async () => {
    expect(await checkLogin('anything', null)).toBe(false);
    expect(scryptSpy).toHaveBeenCalledTimes(1);
  });

  it('the dummy hash is well-formed and matches no password, not even an empty one', async () => {
    expect(DUMMY_PASSWORD_HASH).toMatch(/^scrypt\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(await checkLogin('', DUMMY_PASSWORD_HASH)).toBe(false);
  });
});
