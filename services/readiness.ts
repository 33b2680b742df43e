// When is a spawned process ready: it printed a line, it accepts TCP connections, or a probe says
// so — and the one retry loop for a port that was taken between probing it and the child binding it.
import { connect } from 'node:net';
import { findFreePort } from '../lib/host.ts';
import { ServiceError } from './errors.ts';
import { spawnOwned, type ExitStatus, type OwnedChild, type SpawnOptions } from './owned-child.ts';

export interface ReadyCheck {
  /** Ready once a line of output matches. */
  line?: RegExp;
  /** Ready once host:port accepts a TCP connection. */
  port?: { host: string; port: number };
  /** Ready once this resolves true (polled), e.g. a Redis PING. */
  probe?: () => Promise<boolean>;
  timeoutMs: number;
}

export interface StartOwnedOptions extends SpawnOptions {
  /** Names the process in errors: 'postgres', 'redis', 'sut', 'nginx', … */
  name: string;
  ready: ReadyCheck;
  /** Output that means "the port is taken": the error is then LOADLAB_SERVICE_PORT_TAKEN. */
  portTaken?: RegExp;
  /** How a child that never became ready is stopped (default SIGTERM, then SIGKILL after 2 s). */
  stopSignal?: NodeJS.Signals;
}

const POLL_MS = 25;
const FAILED_STOP_MS = 2_000;
const TAIL_LINES = 15;

/**
 * Spawns (with spawnOwned) and resolves once every given ready check passes. A child that exits,
 * fails to spawn or times out is stopped and becomes a ServiceError quoting its last lines.
 * @example const redis = await startOwned('redis-server', args, { name: 'redis', ready: { probe, timeoutMs: 10_000 } });
 */
export async function startOwned(
  command: string,
  args: readonly string[],
  options: StartOwnedOptions,
): Promise<OwnedChild> {
  const owned = spawnOwned(command, args, options);
  const { line, port, probe, timeoutMs } = options.ready;
  const deadline = Date.now() + timeoutMs;
  try {
    if (line) await owned.waitForLine(line, { timeoutMs });
    if (port)
      await pollUntil(() => canConnect(port.host, port.port), deadline, owned, `${port.host}:${port.port} to accept`);
    if (probe) await pollUntil(probe, deadline, owned, 'its readiness probe to pass');
    return owned;
  } catch (err) {
    const died = owned.exited(); // before stop(): whether it ended on its own
    const [code, signal] = await owned.stop(options.stopSignal ?? 'SIGTERM', FAILED_STOP_MS);
    throw startFailure(options, owned, err as Error, died ? [code, signal] : null);
  }
}

function startFailure(
  options: StartOwnedOptions,
  owned: OwnedChild,
  err: Error,
  died: ExitStatus | null,
): ServiceError {
  const tail = owned
    .lines()
    .filter((l) => l.trim() !== '')
    .slice(-TAIL_LINES);
  const portTaken = options.portTaken !== undefined && tail.some((l) => options.portTaken!.test(l));
  const reason = owned.spawnError()
    ? `could not run: ${owned.spawnError()!.message}`
    : died
      ? `exited during start (${died[0] !== null ? `exit ${died[0]}` : died[1]})`
      : err.message;
  const said = tail.length ? `; it said:\n  ${tail.join('\n  ')}` : '';
  return new ServiceError(
    portTaken ? 'LOADLAB_SERVICE_PORT_TAKEN' : 'LOADLAB_SERVICE_FAILED',
    options.name,
    `${options.name} ${reason}${said}`,
    {
      cause: err,
      outputTail: tail,
      processExitCode: died?.[0] ?? null,
    },
  );
}

async function pollUntil(
  check: () => Promise<boolean>,
  deadline: number,
  owned: OwnedChild,
  what: string,
): Promise<void> {
  while (Date.now() < deadline) {
    if (owned.exited()) throw new Error('exited during start');
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`did not become ready: no ${what} before the deadline`);
}

/**
 * Runs `start` on a free port (or on `port` when given: no retry), and again on a new free port
 * when it fails with LOADLAB_SERVICE_PORT_TAKEN — another process took the probed port first.
 * @example const pg = await withPortRetry((port) => startOwned('postgres', [...args, '-p', String(port)], opts));
 */
export async function withPortRetry<T>(
  start: (port: number) => Promise<T>,
  options: { host?: string; port?: number; attempts?: number; onRetry?: (port: number) => void } = {},
): Promise<T> {
  const attempts = options.port === undefined ? (options.attempts ?? 3) : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await findFreePort(options.host ?? '127.0.0.1'));
    try {
      return await start(port);
    } catch (err) {
      const taken = err instanceof ServiceError && err.code === 'LOADLAB_SERVICE_PORT_TAKEN';
      if (!taken || attempt >= attempts) throw err;
      options.onRetry?.(port);
    }
  }
}

/** Resolves true once a TCP connection to host:port succeeds, false at the timeout or when `gaveUp()`. */
export async function waitForPort(
  host: string,
  port: number,
  options: { timeoutMs: number; gaveUp?: () => boolean },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline && !options.gaveUp?.()) {
    if (await canConnect(host, port)) return true;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return false;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
