// Starts one SUT node (a cluster primary and its workers) as a child process the harness owns,
// and gives the levels what they do to it: reload (SIGHUP), kill workers, stop (SIGTERM).
import { ensureSutBuilt } from '../../lib/sut-build.ts';
import { LISTENING, NODE_LINE, PORT_IN_USE, RELOAD_ENDED, RELOAD_STOPPED, SUT_EXIT } from '../../lib/sut-protocol.ts';
import { ServiceError } from '../../services/errors.ts';
import { childPids, commandName, startOwned, withPortRetry, type OwnedChild } from '../../services/spawn.ts';
import { EnvironmentError, SutFailedError, UsageError, type LoadlabError } from '../errors.ts';
import { track, untrack } from './processes.ts';

const START_TIMEOUT_MS = 120_000; // a first start may initialise and seed the database
const RELOAD_TIMEOUT_MS = 120_000;
/** The SUT's own drain takes at most DRAIN_TIMEOUT_MS (default 10 s) + 2 s; past that plus a margin, SIGKILL the group. */
const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
const STOP_MARGIN_MS = 8_000;

export interface StartSutOptions {
  workers: number;
  /** NODE_ID (x-node-id); default: the SUT's own (the host name). */
  nodeId?: string;
  databaseUrl: string;
  /** Unset: the SUT runs without Redis (the task routes answer 503). */
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
 * Starts the SUT (`node .build/sut.mjs`, built from sut/main.ts when stale) on a free port and resolves once it is listening.
 * @example const sut = await startSut({ workers: 2, nodeId: 'n1', databaseUrl }); … await sut.stop();
 */
export async function startSut(opts: StartSutOptions): Promise<SutHandle> {
  const host = opts.env?.HOST ?? '127.0.0.1';
  const fixedPort = opts.env?.PORT === undefined ? undefined : Number(opts.env.PORT);
  try {
    return await withPortRetry((port) => startOnPort(opts, String(port)), { host, port: fixedPort });
  } catch (err) {
    throw err instanceof ServiceError ? startFailure(err) : err;
  }
}

/**
 * A fixed port rather than PORT=0: with PORT=0 a cluster whose workers all die at once comes back
 * on a new random port (the replacements bind afresh), and the load balancer and the load would
 * still point at the old one.
 */
async function startOnPort(opts: StartSutOptions, port: string): Promise<SutHandle> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: 'info',
    WORKERS: String(opts.workers),
    DATABASE_URL: opts.databaseUrl,
  };
  delete env.REDIS_URL;
  delete env.NODE_ID;
  if (opts.redisUrl) env.REDIS_URL = opts.redisUrl;
  if (opts.nodeId) env.NODE_ID = opts.nodeId;
  for (const [key, value] of Object.entries(opts.env ?? {})) if (value !== undefined) env[key] = value;
  env.PORT = port;
  const stopTimeoutMs = (Number(env.DRAIN_TIMEOUT_MS) || DEFAULT_DRAIN_TIMEOUT_MS) + STOP_MARGIN_MS;
  // The built SUT (lib/sut-build.ts): its workers start on a quarter of tsx's CPU, which a reload takes from the others.
  const owned = await startOwned(process.execPath, [await ensureSutBuilt()], {
    env,
    name: 'the SUT',
    ready: { line: LISTENING, timeoutMs: START_TIMEOUT_MS },
    portTaken: PORT_IN_USE,
    // If the harness dies, the SUT drains as on a Ctrl-C; the group is killed if that hangs.
    watchdog: { signal: 'SIGTERM', killAfterMs: stopTimeoutMs, group: true },
  });
  // The primary drains its workers itself; signalling the group would skip that.
  const entry = {
    stop: () => owned.stop('SIGTERM', stopTimeoutMs).then(() => undefined),
    killNow: () => void (owned.exited() || owned.child.kill('SIGTERM')), // the harness is exiting: let it drain
  };
  track(entry);
  const listening = owned.lines().find((l) => LISTENING.test(l))!;
  const url = LISTENING.exec(listening)![1]!.replace('//0.0.0.0:', '//127.0.0.1:');
  const nodeLine = owned.lines().find((l) => NODE_LINE.test(l));
  const nodeId = opts.nodeId ?? NODE_LINE.exec(nodeLine ?? '')?.[1] ?? 'unknown';
  return createHandle(owned, entry, { url, nodeId });
}

function createHandle(
  owned: OwnedChild,
  entry: { stop(): Promise<void> },
  info: { url: string; nodeId: string },
): SutHandle {
  let reloads: Promise<void> = Promise.resolve();
  let stopping: Promise<void> | undefined;
  const workerPids = () => childPids(owned.pid).filter((pid) => commandName(pid) === 'node');
  const reloadOnce = async () => {
    if (owned.exited()) throw new SutFailedError(`SUT ${info.nodeId} is not running; cannot reload`);
    const from = owned.lineCount();
    process.kill(owned.pid, 'SIGHUP');
    const line = await owned.waitForLine(RELOAD_ENDED, { from, timeoutMs: RELOAD_TIMEOUT_MS });
    if (RELOAD_STOPPED.test(line)) throw new SutFailedError(`SUT ${info.nodeId}: ${line}`);
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
    stop: () => (stopping ??= entry.stop().finally(() => untrack(entry))),
  };
}

/** Maps the SUT's exit code to the harness's: its exit 3 (something missing) stays exit 3. */
function startFailure(err: ServiceError): LoadlabError {
  const code = err.processExitCode;
  const said = err.outputTail.join('\n  ');
  const reason =
    code === null ? ((err.cause as Error | undefined)?.message ?? err.message.split('\n')[0]) : `exit ${code}`;
  const message = `the SUT did not start (${reason}); it said:\n  ${said || '(nothing)'}`;
  if (code === SUT_EXIT.environment || err.code === 'LOADLAB_SERVICE_PORT_TAKEN') return new EnvironmentError(message);
  if (code === SUT_EXIT.config) return new UsageError(message);
  return new SutFailedError(message);
}
