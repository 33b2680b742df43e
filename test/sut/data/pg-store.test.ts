// The Postgres store when the database misbehaves: a full pool and a stopped server give
// SUT_DB_UNAVAILABLE within the connection timeout, idle clients dying never crash the process,
// and the same store works again once the server is back.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../../sut/data/migrate.ts';
import { createPgStore, escapeLike, type PgStore } from '../../../sut/data/pg-store.ts';
import { UnavailableError } from '../../../sut/errors.ts';
import { dataRoot, startPostgres, type PostgresHandle } from '../../../services/postgres.ts';

// Its own embedded server, because this test stops and restarts it.
const dataDir = join(dataRoot(), `postgres-store-test-${randomBytes(4).toString('hex')}`);
let db: PostgresHandle;
const stores: PgStore[] = [];

function openStore(options: { poolMax: number; onIdleError?: (err: Error) => void }): PgStore {
  const store = createPgStore({ url: db.url, connectionTimeoutMs: 500, ...options });
  stores.push(store);
  return store;
}

beforeAll(async () => {
  db = await startPostgres({ dataDir, databaseUrl: '' });
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  await migrate(pool);
  await pool.end();
});

afterAll(async () => {
  for (const store of stores) await store.close();
  await db?.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(`${dataDir}.lock`, { force: true });
});

describe('pg store under failure', () => {
  it('a caller waiting for a full pool gets SUT_DB_UNAVAILABLE, not an endless wait', async () => {
    const store = openStore({ poolMax: 1 });
    const held = await store.pool.connect();
    try {
      await expect(store.ping()).rejects.toBeInstanceOf(UnavailableError);
      expect(store.pool.waitingCount).toBe(0);
    } finally {
      held.release();
    }
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('survives a database restart: 503 while down, idle clients dropped quietly, serving again after', async () => {
    const idleErrors: Error[] = [];
    const store = openStore({ poolMax: 3, onIdleError: (err) => idleErrors.push(err) });
    await Promise.all([store.ping(), store.ping(), store.ping()]); // three idle clients
    const { port } = db;
    await db.stop();
    await expect(store.ping()).rejects.toMatchObject({ code: 'SUT_DB_UNAVAILABLE', status: 503 });
    await expect(store.getUser(1)).rejects.toBeInstanceOf(UnavailableError);
    expect(idleErrors.length).toBeGreaterThan(0); // the server's shutdown notice reached them

    db = await startPostgres({ dataDir, databaseUrl: '', port });
    await expect(store.ping()).resolves.toBeUndefined();
    const user = await store.createUser({
      email: `back-${randomBytes(4).toString('hex')}@x.test`,
      name: 'Back',
      passwordHash: 'h',
    });
    expect(await store.getUser(user.id)).toEqual(user);
  });

  it('warm opens every connection the pool may hold at once and leaves them idle', async () => {
    const store = openStore({ poolMax: 3 });
    expect(await store.warm(5_000)).toBe(3);
    expect([store.pool.totalCount, store.pool.idleCount, store.pool.waitingCount]).toEqual([3, 3, 0]);
  });

  it('warm gives up at its time limit when no connection can be had, and the pool still serves after', async () => {
    const store = openStore({ poolMax: 1 });
    const held = await store.pool.connect();
    try {
      expect(await store.warm(50)).toBe(0);
    } finally {
      held.release();
    }
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('close is idempotent, and a closed store reports unavailable', async () => {
    const store = openStore({ poolMax: 1 });
    await store.close();
    await store.close();
    await expect(store.ping()).rejects.toBeInstanceOf(UnavailableError);
  });
});

describe('escapeLike', () => {
  it.each([
    ['plain', 'plain'],
    ['50%', '50\\%'],
    ['a_b', 'a\\_b'],
    ['back\\slash', 'back\\\\slash'],
  ])('%s → %s', (input, escaped) => {
    expect(escapeLike(input)).toBe(escaped);
  });
});
