// Dependencies going away under a running cluster: the database (503s, no crash, recovery without
// a restart) and a task end to end through Redis.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { prepareDatabase } from '../../sut/data/seed.ts';
import { startPostgres, type PostgresHandle } from '../../services/postgres.ts';
import { startSutProcess, type SutProcess } from '../support/sut-process.ts';
import { TEST_SECRET, testTokens } from '../sut/helpers.ts';

let sut: SutProcess | undefined;
let db: PostgresHandle | undefined;
afterEach(async () => {
  await sut?.stop('SIGTERM');
  await db?.stop();
  sut = undefined;
  db = undefined;
});

/** Polls until `check` passes or the deadline ends; returns the last value seen. */
async function until<T>(
  read: () => Promise<T>,
  check: (v: T) => boolean,
  deadlineMs: number,
): Promise<{ value: T; elapsedMs: number }> {
  const start = Date.now();
  let value = await read();
  while (!check(value) && Date.now() - start < deadlineMs) value = await read();
  return { value, elapsedMs: Date.now() - start };
}

const status = (url: string) => fetch(url).then(async (r) => ({ status: r.status, body: await r.json() }));

describe('outages', () => {
  it('database stopped under load: /ready 503 and data routes 503 JSON; back within 5 s of its return, no restart', async () => {
    db = await startPostgres({ databaseUrl: '', name: 'postgres-outage' });
    await prepareDatabase(db.url);
    sut = await startSutProcess({ WORKERS: '2', CACHE: 'off', DB_CONNECT_TIMEOUT_MS: '500', DATABASE_URL: db.url });
    const primaryChildren = sut.children();
    expect((await status(`${sut.url}/api/users/1`)).status).toBe(200);

    const port = db.port!;
    await db.stop();
    const down = await until(
      () => status(`${sut!.url}/ready`),
      (r) => r.status === 503,
      5000,
    );
    expect(down.value.body.reasons.join(' ')).toMatch(/database unreachable/);
    const read = await status(`${sut.url}/api/users/1`);
    expect(read).toMatchObject({ status: 503, body: { error: { code: 'SUT_DB_UNAVAILABLE' } } });
    expect((await status(`${sut.url}/health`)).status).toBe(200);

    db = await startPostgres({ databaseUrl: '', name: 'postgres-outage', port });
    const back = await until(
      () => status(`${sut!.url}/api/users/1`),
      (r) => r.status === 200,
      5000,
    );
    expect(back.value.status).toBe(200);
    expect((await status(`${sut.url}/ready`)).status).toBe(200);
    expect(sut.children()).toEqual(primaryChildren); // no worker crashed or was replaced
  }, 90_000);

  it('a task goes through Redis: 202, then completed with the report', async () => {
    const redisUrl = inject('redisUrl');
    expect(redisUrl, 'Redis is needed for this test (see the global setup warning)').not.toBe('');
    sut = await startSutProcess({
      WORKERS: '2',
      AUTH_SECRET: TEST_SECRET,
      REDIS_URL: redisUrl,
      DATABASE_URL: inject('databaseUrl'),
    });
    const res = await fetch(`${sut.url}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${testTokens().token}` },
      body: JSON.stringify({ type: 'generate_report', args: { teamId: 3 } }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const done = await until(
      () => status(`${sut!.url}/api/tasks/${id}`),
      (r) => r.body.state === 'completed' || r.body.state === 'failed',
      10_000,
    );
    expect(done.value.body).toMatchObject({ id, state: 'completed', result: { teamId: 3, memberCount: 100 } });
    const metrics = await (await fetch(`${sut.url}/metrics`)).text();
    expect(metrics).toMatch(/^loadlab_queue_jobs\{state="completed"\} [1-9]/m);
  }, 60_000);
});
