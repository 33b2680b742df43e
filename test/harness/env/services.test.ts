// startServices: a given database is checked (not started), Redis only when needed,
// and a service that cannot be reached is exit 3 with the three ways to get it.
import { describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { findFreePort } from '../../../lib/host.ts';
import { trackedCount } from '../../../harness/env/processes.ts';
import { startServices } from '../../../harness/env/services.ts';
import { EnvironmentError, EXIT } from '../../../harness/errors.ts';

describe('startServices', () => {
  it('uses the given database, prepared and seeded, and leaves Redis alone when not needed', async () => {
    const services = await startServices({ databaseUrl: inject('databaseUrl'), needRedis: false });
    try {
      expect(services.databaseUrl).toBe(inject('databaseUrl'));
      expect(services.redisUrl).toBeUndefined();
      expect(trackedCount()).toBe(1);
      const client = new pg.Client({ connectionString: services.databaseUrl });
      await client.connect();
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM users WHERE id <= 100000');
      await client.end();
      expect(Number(rows[0]!.n)).toBe(100_000);
    } finally {
      await services.stop();
    }
    expect(trackedCount()).toBe(0);
    await services.stop(); // twice is harmless
  });

  it.runIf(inject('redisUrl'))('passes a given Redis through when it is needed', async () => {
    const services = await startServices({
      databaseUrl: inject('databaseUrl'),
      redisUrl: inject('redisUrl'),
      needRedis: true,
    });
    expect(services.redisUrl).toBe(inject('redisUrl'));
    await services.stop();
  });

  it('an unreachable database is an EnvironmentError (exit 3) with the three ways to get PostgreSQL', async () => {
    const port = await findFreePort();
    const err = await startServices({
      databaseUrl: `postgres://loadlab:secret@127.0.0.1:${port}/loadlab`,
      needRedis: false,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as EnvironmentError).exitCode).toBe(EXIT.environment);
    const message = (err as Error).message;
    expect(message).toMatch(/PostgreSQL is missing: cannot reach/);
    expect(message).toMatch(/apt-get install postgresql/);
    expect(message).toMatch(/docker compose up -d postgres/);
    expect(message).toMatch(/DATABASE_URL=/);
    expect(message).not.toContain('secret'); // the URL is shown without its password
    expect(trackedCount()).toBe(0);
  });
});
