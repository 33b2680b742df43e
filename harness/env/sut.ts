// Starts one SUT node (a cluster primary and its workers) as a child process the harness owns,
// and gives the levels what they do to it: reload (SIGHUP), kill workers, stop (SIGTERM).
import { fileURLToPath } from 'node:url';
import { EnvironmentError, LoadlabError, UsageError, EXIT } from '../errors.ts';
import { childPids, commandName, findFreePort, spawnOwned, type OwnedChild } from './child.ts';
import { track, untrack } from './processes.ts';

const MAIN = fileURLToPath(new URL('../../sut/main.ts', import.meta.url));
const START_TIMEOUT_MS = 120_000; // a first start may initialise and seed the database
const START_ATTEMPTS = 3;
const RELOAD_TIMEOUT_MS = 120_000;
/** The SUT's own drain takes at most DRAIN_TIMEOUT_MS (default 10 s) + 2 s; past that plus a margin, SIGKILL the group. */
const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
const STOP_MARGIN_MS = 8_000;

export interface StartSutOptions {
  workers: number;
  /** NODE_ID (x-node-id); default: the SUT's own (the host name). */
  nodeId?: string;
  databaseUrl: string;
  /** Unset: the SUT starts its own redis-server from PATH, or runs without the task routes. */
  redisUrl?: string;
  /** More SUT variables (CACHE, LATENCY, ADMIN_TOKEN, …); these win over the ones above. */
  env?: Record<string, string>;
}

export interface SutHandle {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The cluster primary's pid. */
  pid: number;
  nodeId: string;
  /** Pids of the live cluster workers (read from /proc). */
  workerPids(): number[];
  /** SIGHUP; resolves when the primary logs "reload: done", rejects if it logs "reload stopped". */
  reload(): Promise<void>;
  /** Sends `signal` to every current worker (the primary replaces them): the non-graceful control. */
  killWorkers(signal: NodeJS.Signals): void;
  /** SIGTERM, waits for the drain and exit; SIGKILLs the process group after a timeout. */
  stop(): Promise<void>;
  /** The SUT's stdout and stderr lines so far (the last 2000; for failure messages). */
  logs(): string[];
  /** How many lines the SUT has printed: a cursor for waitForLog's `from`. */
  logCount(): number;
  /**
   * Resolves with the `count`-th (default 1st) line matching `pattern` printed after line `from`
   * (default 0); rejects on timeout (default 30 s) or when the SUT exits first.
   * @example
   * const from = sut.logCount(), n = sut.workerPids().length;
   * sut.killWorkers('SIGKILL');
   * await sut.waitForLog(/worker \d+ \(pid \d+\) ready/, { from, count: n }); // all replaced
   */
  waitForLog(pattern: RegExp, options?: { from?: number; count?: number; timeoutMs?: number }): Promise<string>;
}

/**
 * Starts `node --import tsx sut/main.ts` on a free port and resolves once it is listening.
 * @example const sut = await startSut({ workers: 2, nodeId: 'n1', databaseUrl }); … await sut.stop();
 */
export async function startSut(opts: StartSutOptions): Promise<SutHandle> {
  for (let attempt = 1; ; attempt++) {
    const port = opts.env?.PORT ?? String(await findFreePort(opts.env?.HOST ?? '127.0.0.1'));
    try {
      return await startOnPort(opts, port);
    } catch (err) {
      // Another process took the probed port before the SUT bound it: try a new one.
      const retry = err instanceof PortTakenError && opts.env?.PORT === undefined && attempt < START_ATTEMPTS;
      if (!retry) throw err instanceof PortTakenError ? err.failure : err;
    }
  }
}

/**
 * A fixed port rather than PORT=0: with PORT=0 a cluster whose workers all die at once comes back
 * on a new random port (the replacements bind afresh), and the load balancer and the load would
 * still point at the old one.
 */
async function startOnPort(opts: StartSutOptions, port: string): Promise<SutHandle> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', WORKERS: String(opts.workers), DATABASE_URL: opts.databaseUrl };
  delete env.REDIS_URL;
  delete env.NODE_ID;
  if (opts.redisUrl) env.REDIS_URL = opts.redisUrl;
  if (opts.nodeId) env.NODE_ID = opts.nodeId;
  for (const [key, value] of Object.entries(opts.env ?? {})) if (value !== undefined) env[key] = value;
  env.PORT = port;

  const owned = spawnOwned(process.execPath, ['--import', 'tsx', MAIN], { env });
  const stopTimeoutMs = (Number(env.DRAIN_TIMEOUT_MS) || DEFAULT_DRAIN_TIMEOUT_MS) + STOP_MARGIN_MS;
  const entry = { stop: () => owned.stop('SIGTERM', stopTimeoutMs), killNow: () => signalPrimary(owned, 'SIGTERM') };
  track(entry);
  let listening: string;
  try {
    listening = await owned.waitForLine(/listening on http:\/\/\S+/, { timeoutMs: START_TIMEOUT_MS });
  } catch (err) {
    await owned.stop('SIGTERM', 2_000);
    untrack(entry);
    const failure = await startFailure(owned, err as Error);
    throw owned.lines().some((l) => l.includes('EADDRINUSE')) ? new PortTakenError(failure) : failure;
  }
  const url = /listening on (http:\/\/\S+)/.exec(listening)![1]!.replace('//0.0.0.0:', '//127.0.0.1:');
  const nodeLine = owned.lines().find((l) => /\bnode \S+: \d+ worker/.test(l));
  const nodeId = opts.nodeId ?? /\bnode (\S+): \d+ worker/.exec(nodeLine ?? '')?.[1] ?? 'unknown';
  return createHandle(owned, entry, { url, nodeId });
}

class PortTakenError extends Error {
  constructor(readonly failure: LoadlabError) {
    super(failure.message);
  }
}

function createHandle(owned: OwnedChild, entry: { stop(): Promise<void> }, info: { url: string; nodeId: string }): SutHandle {
  let reloads: Promise<void> = Promise.resolve();
  let stopping: Promise<void> | undefined;
  const workerPids = () => childPids(owned.pid).filter((pid) => commandName(pid) === 'node');
  const reloadOnce = async () => {
    if (owned.exited()) throw new LoadlabError('LOADLAB_INTERNAL', EXIT.internal, `SUT ${info.nodeId} is not running; cannot reload`);
    const from = owned.lineCount();
    process.kill(owned.pid, 'SIGHUP');
    const line = await owned.waitForLine(/reload: done|reload stopped/, { from, timeoutMs: RELOAD_TIMEOUT_MS });
    if (/reload stopped/.test(line)) throw new LoadlabError('LOADLAB_INTERNAL', EXIT.internal, `SUT ${info.nodeId}: ${line}`);
  };
  return {
    url: info.url,
    pid: owned.pid,
    nodeId: info.nodeId,
    workerPids,
    logs: () => owned.lines(),
    logCount: () => owned.lineCount(),
    waitForLog: (pattern, options) => owned.waitForLine(pattern, options),
    // One at a time: the SUT queues a SIGHUP sent mid-reload, which would resolve the wrong waiter.
    reload: () => (reloads = reloads.catch(() => undefined).then(reloadOnce)),
    killWorkers(signal) {
      for (const pid of workerPids()) {
        try {
          process.kill(pid, signal);
        } catch {
          // already gone
        }
      }
    },
    stop: () =>
      (stopping ??= entry.stop().finally(() => untrack(entry))),
  };
}

/** Maps the SUT's exit code to the harness's: its exit 3 (a service missing) stays exit 3. */
async function startFailure(owned: OwnedChild, err: Error): Promise<LoadlabError> {
  const [code] = owned.exited() ? await owned.exit : [null];
  const said = owned
    .lines()
    .filter((l) => l.trim() !== '')
    .slice(-15)
    .join('\n  ');
  const message = `the SUT did not start (${code === null ? err.message : `exit ${code}`}); it said:\n  ${said || '(nothing)'}`;
  if (code === 3) return new EnvironmentError(message);
  if (code === 2) return new UsageError(message);
  return new LoadlabError('LOADLAB_INTERNAL', EXIT.internal, message);
}

/** The primary drains its workers and stops its own Redis; signalling the group would skip that. */
function signalPrimary(owned: OwnedChild, signal: NodeJS.Signals): void {
  if (!owned.exited()) owned.child.kill(signal);
}
