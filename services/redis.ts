// Gives the SUT a Redis: the one in REDIS_URL, else a throwaway redis-server from PATH on a free
// port, without persistence, with a random password (requirepass, in the URL it hands on), in a
// private temp folder that stop() removes along with the process.
import { findOnPath } from '../lib/host.ts';
import { redactText, rememberSecret } from '../lib/redact.ts';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceError, serviceMissing } from './errors.ts';
import { spawnRedisServer } from './redis-process.ts';
import { withPortRetry } from './spawn.ts';

export { pingRedis } from './redis-process.ts';
export { findFreePort } from '../lib/host.ts';

export interface StartRedisOptions {
  /** Use this server instead of starting one (default: env REDIS_URL). */
  redisUrl?: string;
  /** Receives redis-server's log lines (default: stderr when LOADLAB_DEBUG is set, else dropped). */
  log?: (line: string) => void;
  startTimeoutMs?: number;
  /** Where PATH and REDIS_URL are read (default: process.env); tests pass a PATH without redis-server. */
  env?: NodeJS.ProcessEnv;
  /** The embedded server's password (default: a new random one), e.g. to restart it for the same clients. */
  password?: string;
}

export interface RedisHandle {
  url: string;
  /** True when this call started redis-server (and stop() will end it). */
  embedded: boolean;
  port?: number;
  pid?: number;
  /** The embedded server's temp folder, removed by stop(). */
  dataDir?: string;
  /** The embedded server's requirepass (also in `url`). */
  password?: string;
  stop(): Promise<void>;
}

const BINARY = 'redis-server';
const HOST = '127.0.0.1';
const START_ATTEMPTS = 3; // the free port can be taken between probing it and redis binding it
const DEFAULT_START_TIMEOUT_MS = 10_000;

/**
 * Starts (or points at) Redis; `url` is ready for ioredis.
 * @example const redis = await startRedis(); … await redis.stop();
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisHandle> {
  const env = options.env ?? process.env;
  const redisUrl = options.redisUrl ?? env.REDIS_URL;
  if (redisUrl) return { url: redisUrl, embedded: false, stop: async () => undefined };
  const binary = await findOnPath(BINARY, env.PATH ?? '');
  if (!binary) {
    throw serviceMissing('redis', `${BINARY} is not on PATH and REDIS_URL is not set`);
  }
  return startEmbedded(binary, options, env);
}

/** Starts redis-server on a free port (or `port` when given, e.g. to restart one on the same port). */
export async function startEmbeddedRedis(options: StartRedisOptions & { port?: number } = {}): Promise<RedisHandle> {
  const env = options.env ?? process.env;
  const binary = await findOnPath(BINARY, env.PATH ?? '');
  if (!binary) throw serviceMissing('redis', `${BINARY} is not on PATH`);
  return startEmbedded(binary, options, env);
}

async function startEmbedded(
  binary: string,
  options: StartRedisOptions & { port?: number },
  env: NodeJS.ProcessEnv,
): Promise<RedisHandle> {
  const log = options.log ?? defaultLog(env);
  const dir = await mkdtemp(join(tmpdir(), 'loadlab-redis-')); // mode 0700
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const password = options.password ?? randomBytes(24).toString('hex');
  rememberSecret(password);
  try {
    // In a 0600 file, not on the command line, which every local user can read in /proc.
    const configFile = join(dir, 'redis.conf');
    await writeFile(configFile, `requirepass ${password}\n`, { mode: 0o600 });
    return await withPortRetry(
      async (port) => {
        const args = [configFile, ...serverArgs(port, dir)];
        const child = await spawnRedisServer(binary, args, { port, dir, password, startTimeoutMs, log });
        const stop = once(() => stopAndClean(() => child.stop(), dir));
        const url = `redis://:${password}@${HOST}:${port}`;
        return { url, embedded: true, port, pid: child.pid, dataDir: dir, password, stop };
      },
      { host: HOST, port: options.port, attempts: START_ATTEMPTS },
    );
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err instanceof ServiceError ? startFailed(err) : err;
  }
}

/** Loopback only, no RDB or AOF (a benchmark queue is disposable), and BullMQ's required noeviction. */
function serverArgs(port: number, dir: string): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--maxmemory-policy',
    'noeviction',
    '--loglevel',
    'warning',
  ];
}

async function stopAndClean(stopChild: () => Promise<void>, dir: string): Promise<void> {
  await stopChild();
  await rm(dir, { recursive: true, force: true });
}

function startFailed(failure: ServiceError): ServiceError {
  return new ServiceError(failure.code, 'redis', `${BINARY} failed to start: ${failure.message}`, {
    cause: failure,
    outputTail: failure.outputTail,
  });
}

function defaultLog(env: NodeJS.ProcessEnv): (line: string) => void {
  return env.LOADLAB_DEBUG ? (line) => process.stderr.write(`[redis] ${redactText(line)}\n`) : () => undefined;
}

/** Lets stop() be called twice (e.g. from a signal handler and a finally) without a second shutdown. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let pending: Promise<void> | undefined;
  return () => (pending ??= fn());
}
