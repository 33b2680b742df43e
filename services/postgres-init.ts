// Creates the embedded server's data folder once (initdb, atomically) and its database, so that
// every later start only has to launch the server.
import { chown, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { ServiceError } from './errors.ts';
import type { PgBinaries } from './postgres-binaries.ts';
import type { OsUser } from './postgres-dirs.ts';
import { runInitdb } from './postgres-process.ts';

export const SUPERUSER = 'postgres';
export const DATABASE = 'loadlab';
const CONNECT_TIMEOUT_MS = 5_000;

/** null when missing; any other failure (e.g. EACCES) is thrown, not mistaken for "missing". */
function unlessMissing(err: NodeJS.ErrnoException): null {
  if (err.code === 'ENOENT') return null;
  throw err;
}

async function isEmptyDir(path: string): Promise<boolean | null> {
  return readdir(path).then((entries) => entries.length === 0, unlessMissing);
}

/**
 * initdb into a staging folder, then rename: a data folder that exists is a complete one. The superuser
 * gets `password` (postgres-password.ts); the server only listens on 127.0.0.1, with scram-sha-256.
 */
export async function ensureInitialised(
  binaries: PgBinaries,
  dataDir: string,
  run: { runAs?: OsUser; log: (line: string) => void },
  password: string,
): Promise<boolean> {
  const version = await readFile(join(dataDir, 'PG_VERSION'), 'utf8').catch(unlessMissing);
  if (version !== null) {
    if (Number.parseInt(version, 10) === binaries.majorVersion) return false;
    throw new ServiceError(
      'LOADLAB_SERVICE_FAILED',
      'postgres',
      `${dataDir} was created by PostgreSQL ${version.trim()} but the embedded binaries are ${binaries.majorVersion}; ` +
        'delete that folder to re-create it (it is re-seeded automatically)',
    );
  }
  const empty = await isEmptyDir(dataDir);
  if (empty === false) {
    throw new ServiceError(
      'LOADLAB_SERVICE_FAILED',
      'postgres',
      `${dataDir} is not empty and not a PostgreSQL data folder`,
    );
  }
  if (empty) await rm(dataDir, { recursive: true });
  run.log(`initialising a new PostgreSQL ${binaries.majorVersion} data folder at ${dataDir}`);
  const staging = `${dataDir}.init`;
  const pwFile = `${dataDir}.pwfile`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { mode: 0o700 });
  await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
  try {
    if (run.runAs) {
      await chown(staging, run.runAs.uid, run.runAs.gid);
      await chown(pwFile, run.runAs.uid, run.runAs.gid);
    }
    await runInitdb(binaries, initdbArgs(binaries, staging, pwFile), { ...run, cwd: dirname(dataDir) });
    await rename(staging, dataDir);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  } finally {
    await rm(pwFile, { force: true });
  }
  return true;
}

function initdbArgs(binaries: PgBinaries, pgdata: string, pwFile: string): string[] {
  // The builtin C.UTF-8 provider (PG >= 17) gives Unicode-aware lower() independent of the OS locales.
  const locale =
    binaries.majorVersion >= 17 ? ['--locale-provider=builtin', '--builtin-locale=C.UTF-8'] : ['--locale=C'];
  return [
    `--pgdata=${pgdata}`,
    `--username=${SUPERUSER}`,
    `--pwfile=${pwFile}`,
    '--auth=scram-sha-256',
    '--encoding=UTF8',
    ...locale,
    '--lc-messages=C',
    '--no-instructions',
    // A testbed's data folder is re-creatable; skipping fsync makes the first start seconds faster.
    '--no-sync',
  ];
}

/** A client (not yet connected) for the server's `postgres` database, with `url`'s credentials. */
export function adminClient(url: string): pg.Client {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  client.on('error', () => undefined);
  return client;
}

/** Creates the loadlab database on first start (initdb only makes `postgres`). */
export async function ensureDatabase(url: string): Promise<void> {
  const client = adminClient(url);
  try {
    await client.connect();
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(DATABASE)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
