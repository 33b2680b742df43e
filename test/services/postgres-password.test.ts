// The embedded PostgreSQL's credentials: a random superuser password made at first init, kept 0600 beside
// the data folder and carried in the URL; the old fixed password opens nothing, and a folder made with it
// is migrated to a random one on its next start, data intact.
import { randomBytes } from 'node:crypto';
import { chmod, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ServiceError } from '../../services/errors.ts';
import { LEGACY_PASSWORD, passwordFile } from '../../services/postgres-password.ts';
import { dataRoot, startPostgres, type PostgresHandle } from '../../services/postgres.ts';

const dataDir = join(dataRoot(), `postgres-pw-test-${randomBytes(4).toString('hex')}`);
const handles: PostgresHandle[] = [];

/** Always the embedded server, whatever DATABASE_URL the shell has. */
async function start(): Promise<PostgresHandle> {
  const handle = await startPostgres({ dataDir, databaseUrl: '' });
  handles.push(handle);
  return handle;
}

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

function withPassword(url: string, password: string): string {
  const changed = new URL(url);
  changed.password = password;
  return changed.toString();
}

const storedPassword = async (): Promise<string> => (await readFile(passwordFile(dataDir), 'utf8')).trim();

afterAll(async () => {
  for (const handle of handles) await handle.stop();
  await rm(dataDir, { recursive: true, force: true });
  for (const suffix of ['.lock', '.password']) await rm(`${dataDir}${suffix}`, { force: true });
});

describe('embedded PostgreSQL credentials', () => {
  it('makes a random password at first init, kept with mode 0600 beside the folder and carried in the URL', async () => {
    const db = await start();
    expect(db.initialised).toBe(true);
    const file = passwordFile(dataDir);
    expect(file).toBe(`${dataDir}.password`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const password = await storedPassword();
    expect(password).toMatch(/^[0-9a-f]{48}$/);
    expect(new URL(db.url).password).toBe(password);
    expect(await query(db.url, 'SELECT current_user AS who')).toEqual([{ who: 'postgres' }]);
  });

  it('refuses the old fixed password and a wrong one (28P01)', async () => {
    const db = handles.at(-1)!;
    for (const wrong of [LEGACY_PASSWORD, 'not-the-password']) {
      await expect(query(withPassword(db.url, wrong), 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
    }
    await db.stop();
  });

  it('keeps the same password on a later start', async () => {
    const before = await storedPassword();
    const db = await start();
    expect(db.initialised).toBe(false);
    expect(new URL(db.url).password).toBe(before);
    expect(await storedPassword()).toBe(before);
  });

  it('migrates a folder made with the old fixed password to a new random one (ALTER ROLE), data intact', async () => {
    const old = handles.at(-1)!;
    // The state the old code left: superuser password "loadlab", no password file.
    await query(old.url, 'CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');
    await query(old.url, `ALTER ROLE postgres PASSWORD '${LEGACY_PASSWORD}'`);
    const previous = await storedPassword();
    await old.stop();
    await rm(passwordFile(dataDir));

    const db = await start();
    expect(db.initialised).toBe(false);
    const password = await storedPassword();
    expect(password).toMatch(/^[0-9a-f]{48}$/);
    expect(password).not.toBe(previous);
    expect((await stat(passwordFile(dataDir))).mode & 0o777).toBe(0o600);
    expect(new URL(db.url).password).toBe(password);
    expect(await query(db.url, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);
    await expect(query(withPassword(db.url, LEGACY_PASSWORD), 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
    await db.stop();
  });

  it('tightens a password file that is readable by others to 0600', async () => {
    await chmod(passwordFile(dataDir), 0o644);
    const db = await start();
    expect((await stat(passwordFile(dataDir))).mode & 0o777).toBe(0o600);
    await db.stop();
  });

  it('a password file that opens nothing is a clear error, not a silent new password', async () => {
    const good = await storedPassword();
    await writeFile(passwordFile(dataDir), 'f'.repeat(48), { mode: 0o600 });
    try {
      const error = await start().catch((err: unknown) => err);
      expect(error).toBeInstanceOf(ServiceError);
      expect((error as ServiceError).message).toContain(passwordFile(dataDir));
      expect((error as ServiceError).message).toContain('28P01');
    } finally {
      await writeFile(passwordFile(dataDir), `${good}\n`, { mode: 0o600 });
    }
    const db = await start(); // the lock and the server of the failed start were released
    expect(await query(db.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await db.stop();
  });
});
