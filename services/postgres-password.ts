// The embedded server's superuser password: random, made when its data folder is first created, and kept
// with mode 0600 in `<data folder>.password`, so only this user can connect (and run COPY … TO PROGRAM).
// A data folder made with the old fixed password gets the random one with ALTER ROLE on its next start.
import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { Client } from 'pg';
import { rememberSecret } from '../lib/redact.ts';
import { ServiceError } from './errors.ts';
import { adminClient } from './postgres-init.ts';

/** What every data folder was created with before passwords were random; only tried to migrate one. */
export const LEGACY_PASSWORD = 'loadlab';
/** PostgreSQL's SQLSTATE for a rejected password. */
const INVALID_PASSWORD = '28P01';

/** Where a data folder's password lives: beside it (like its .lock), not inside it, which postgres owns. */
export function passwordFile(dataDir: string): string {
  return `${dataDir}.password`;
}

/** 48 hex characters: nothing to escape in a URL, a shell or SQL. */
export function createPassword(): string {
  return randomBytes(24).toString('hex');
}

/**
 * The data folder's password: read from its file (tightened to 0600 if it was not), else a new random
 * one written there first — so initdb, or the migration of an old folder, uses the one on disk.
 */
export async function loadOrCreatePassword(dataDir: string): Promise<string> {
  const file = passwordFile(dataDir);
  const stored = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    },
  );
  if (stored) {
    await chmod(file, 0o600);
    rememberSecret(stored);
    return stored;
  }
  const password = createPassword();
  const staging = `${file}.${process.pid}`;
  await writeFile(staging, `${password}\n`, { mode: 0o600 });
  await rename(staging, file).catch(async (err: unknown) => {
    await rm(staging, { force: true });
    throw err;
  });
  rememberSecret(password);
  return password;
}

/**
 * Connects with the password in `url`; when PostgreSQL rejects it and the old fixed password opens the
 * server, that folder predates random passwords: its superuser gets the one in `url` (ALTER ROLE).
 * Returns true when it migrated.
 */
export async function ensurePassword(url: string, dataDir: string, log: (line: string) => void): Promise<boolean> {
  const error = await tryConnect(url, async () => undefined);
  if (!error) return false;
  if (error.code !== INVALID_PASSWORD) throw error;
  const target = new URL(url);
  const legacy = new URL(url);
  legacy.password = LEGACY_PASSWORD;
  const legacyError = await tryConnect(legacy.toString(), async (client) => {
    const password = client.escapeLiteral(decodeURIComponent(target.password));
    await client.query(
      `ALTER ROLE ${client.escapeIdentifier(decodeURIComponent(target.username))} PASSWORD ${password}`,
    );
  });
  if (legacyError) {
    throw new ServiceError(
      'LOADLAB_SERVICE_FAILED',
      'postgres',
      `the password in ${passwordFile(dataDir)} does not open the PostgreSQL data folder ${dataDir} ` +
        `(${error.code}); delete both to re-create it (it is re-seeded automatically)`,
      { cause: legacyError },
    );
  }
  // Once per old folder, and worth seeing: a script that connected with the old password stops working.
  const said = `PostgreSQL in ${dataDir} had the old fixed password; it now has the random one in ${passwordFile(dataDir)}`;
  log(said);
  process.stderr.write(`loadlab: ${said}\n`);
  return true;
}

/** Runs `use` on a connection to the `postgres` database; returns the error instead of throwing it. */
async function tryConnect(
  url: string,
  use: (client: Client) => Promise<void>,
): Promise<(Error & { code?: string }) | undefined> {
  const client = adminClient(url);
  try {
    await client.connect();
    await use(client);
    return undefined;
  } catch (err) {
    return err as Error & { code?: string };
  } finally {
    await client.end().catch(() => undefined);
  }
}
