// No built-in secret: a SUT started without AUTH_SECRET signs tokens with a random secret made by
// its primary for this start and handed to every worker, so a token works on every worker and
// survives a rolling reload (SIGHUP), but not a restart; a token signed with the constant the SUT
// once fell back to is refused. The real entry point, a cluster of two workers, real PostgreSQL.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createTokenService } from '../../sut/auth/token.ts';
import { DEMO_PASSWORD } from '../../sut/data/store.ts';
import { callOnNewConnection } from '../support/net.ts';
import { startSutProcess, type SutProcess } from '../support/sut-process.ts';
import { OLD_BUILT_IN_SECRET } from '../sut/helpers.ts';

let sut: SutProcess | undefined;
afterEach(async () => {
  await sut?.stop('SIGTERM');
  sut = undefined;
});

const start = () =>
  startSutProcess({
    WORKERS: '2',
    AUTH_SECRET: '', // unset, whatever the test runner's environment holds
    REDIS_URL: 'off',
    DATABASE_URL: inject('databaseUrl'),
  });

/** One request on a connection of its own: the cluster hands new connections to its workers in turn. */
const call = (base: string, method: string, path: string, body: unknown, authorization?: string) =>
  callOnNewConnection(base, method, path, body, authorization);

async function login(base: string, n: number): Promise<string> {
  const answer = await call(base, 'POST', '/api/auth/login', {
    email: `user${n}@example.test`,
    password: DEMO_PASSWORD,
  });
  expect(answer.status).toBe(200);
  return answer.body.token!;
}

/**
 * What each worker says to `token`, on requests that write nothing: POST /api/teams with an empty
 * body is 400 (SUT_VALIDATION) behind a token the worker accepts, 401 before it. Asks until both
 * workers have answered (round robin: two or three requests).
 */
async function statusByWorker(base: string, token: string): Promise<Record<string, number[]>> {
  const seen: Record<string, number[]> = {};
  for (let i = 0; i < 20 && Object.keys(seen).length < 2; i++) {
    const answer = await call(base, 'POST', '/api/teams', {}, `Bearer ${token}`);
    (seen[answer.workerId] ??= []).push(answer.status);
  }
  expect(Object.keys(seen), 'both workers answered').toHaveLength(2);
  return seen;
}

const statuses = (byWorker: Record<string, number[]>) => [...new Set(Object.values(byWorker).flat())];

describe('AUTH_SECRET unset', () => {
  it('one random secret per start: every worker takes the token, a reload keeps it, a restart does not', async () => {
    sut = await start();
    expect(sut.stderr()).toContain('AUTH_SECRET is unset: tokens are signed with a random secret made for this start');
    const token = await login(sut.url, 4242);
    const before = await statusByWorker(sut.url, token);
    expect(statuses(before)).toEqual([400]);

    sut.child.kill('SIGHUP');
    await sut.waitForLog(/reload: done/, 1);
    const after = await statusByWorker(sut.url, token);
    expect(
      Object.keys(after).filter((id) => id in before),
      'all workers were replaced',
    ).toEqual([]);
    expect(statuses(after)).toEqual([400]);

    await sut.stop('SIGTERM');
    sut = await start();
    const restarted = await statusByWorker(sut.url, token);
    expect(statuses(restarted)).toEqual([401]);
    const refused = await call(sut.url, 'POST', '/api/teams', {}, `Bearer ${token}`);
    expect(refused.body).toEqual({ error: { code: 'SUT_UNAUTHORIZED', message: 'invalid bearer token' } });
    expect(statuses(await statusByWorker(sut.url, await login(sut.url, 4242)))).toEqual([400]);
  }, 120_000);

  it('a token signed with the old built-in secret is refused by every worker', async () => {
    sut = await start();
    const old = createTokenService(OLD_BUILT_IN_SECRET, 3600).issue(1).token;
    expect(statuses(await statusByWorker(sut.url, old))).toEqual([401]);
  }, 60_000);
});
