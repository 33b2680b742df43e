// Runs initdb and the postgres server through the spawn primitive: logs go to a callback line by
// line, readiness is the server's own "ready" line, the watchdog asks for a fast shutdown if we die,
// and stop() waits until the server is gone.
import { ServiceError } from './errors.ts';
import type { PgBinaries } from './postgres-binaries.ts';
import type { OsUser } from './postgres-dirs.ts';
import { spawnOwned, startOwned, type SpawnOptions } from './spawn.ts';

export interface RunOptions {
  runAs?: OsUser;
  /** A folder the run-as user can enter (initdb and postgres complain about an unreadable cwd). */
  cwd: string;
  log: (line: string) => void;
}

export interface RunningPostgres {
  pid: number;
  stop(): Promise<void>;
}

const READY_LINE = /database system is ready to accept connections/;
const PORT_TAKEN = /could not bind|Address already in use|could not create any TCP\/IP sockets/;
/** SIGINT is PostgreSQL's fast shutdown (disconnects clients, checkpoints); past this, SIGKILL. */
const STOP_TIMEOUT_MS = 20_000;

function spawnOptions(options: RunOptions): SpawnOptions {
  return {
    cwd: options.cwd,
    // lc_messages=C keeps the "ready to accept connections" line we wait for in English.
    env: { ...process.env, LC_MESSAGES: 'C', LANG: 'C' },
    onLine: options.log,
    ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
  };
}

export async function runInitdb(binaries: PgBinaries, args: string[], options: RunOptions): Promise<void> {
  const owned = spawnOptions(options);
  const initdb = spawnOwned(binaries.initdb, args, owned);
  const [code, signal] = await initdb.exit;
  if (code === 0) return;
  const reason = initdb.spawnError()
    ? `could not run: ${initdb.spawnError()!.message}`
    : `failed (${signal ?? `exit ${code}`})`;
  const tail = initdb
    .lines()
    .filter((l) => l.trim() !== '')
    .slice(-15);
  throw new ServiceError(
    'LOADLAB_SERVICE_FAILED',
    'postgres',
    `initdb ${reason}${tail.length ? `; it said:\n  ${tail.join('\n  ')}` : ''}`,
    {
      outputTail: tail,
      processExitCode: code,
    },
  );
}

/**
 * Starts the server and resolves once it accepts connections; rejects with a ServiceError
 * (LOADLAB_SERVICE_PORT_TAKEN when the port was taken, so the caller can retry on another).
 */
export async function startServer(
  binaries: PgBinaries,
  args: string[],
  options: RunOptions & { startTimeoutMs: number },
): Promise<RunningPostgres> {
  const owned = await startOwned(binaries.postgres, args, {
    ...spawnOptions(options),
    name: 'postgres',
    ready: { line: READY_LINE, timeoutMs: options.startTimeoutMs },
    portTaken: PORT_TAKEN,
    stopSignal: 'SIGINT',
    // The comm guard: by the time the guard fires, the pid may belong to another program.
    watchdog: { signal: 'SIGINT', commandName: 'postgres' },
  });
  return {
    pid: owned.pid,
    stop: async () => {
      await owned.stop('SIGINT', STOP_TIMEOUT_MS);
    },
  };
}
