// Runs one redis-server child through the spawn primitive: a raw-socket PING for readiness, a
// watchdog that stops it (and removes its folder) if we die, and a stop() that waits until it is gone.
import { connect } from 'node:net';
import { startOwned } from './spawn.ts';

export interface RedisChild {
  pid: number;
  stop(): Promise<void>;
}

const PING_TIMEOUT_MS = 500;
const STOP_KILL_AFTER_MS = 5_000;
const PORT_TAKEN = /Address already in use|Could not create server TCP listening socket/i;

/** A command as a RESP array, so an argument may hold any byte. */
function respCommand(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/**
 * One PING over a raw socket (after AUTH when a password is given): true on "+PONG"; never throws
 * (a refused connection is just "not yet"; a server that wants a password answers false without it).
 */
export function pingRedis(
  port: number,
  host = '127.0.0.1',
  timeoutMs = PING_TIMEOUT_MS,
  password?: string,
): Promise<boolean> {
  const expected = password === undefined ? ['+PONG'] : ['+OK', '+PONG'];
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () =>
      socket.write(`${password === undefined ? '' : respCommand('AUTH', password)}${respCommand('PING')}`),
    );
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      const lines = reply.split('\r\n').slice(0, -1);
      if (lines.some((line, i) => !line.startsWith(expected[i] ?? '+PONG'))) done(false);
      else if (lines.length >= expected.length) done(true);
    });
  });
}

/**
 * Spawns redis-server with `args` and resolves once it answers PING on `port`. If this process
 * dies, the watchdog stops the server and removes its folder; a failed start is a ServiceError.
 */
export async function spawnRedisServer(
  binary: string,
  args: string[],
  options: {
    port: number;
    /** Its working folder, removed by the watchdog if we die. */ dir: string;
    /** Its requirepass, for the readiness PING. */
    password?: string;
    startTimeoutMs: number;
    log: (line: string) => void;
  },
): Promise<RedisChild> {
  const owned = await startOwned(binary, args, {
    cwd: options.dir,
    onLine: options.log,
    name: 'redis-server',
    ready: {
      probe: () => pingRedis(options.port, '127.0.0.1', PING_TIMEOUT_MS, options.password),
      timeoutMs: options.startTimeoutMs,
    },
    portTaken: PORT_TAKEN,
    watchdog: { signal: 'SIGTERM', killAfterMs: STOP_KILL_AFTER_MS, removeDir: options.dir },
  });
  // SIGTERM: redis shuts down cleanly (no save with `--save ""`); SIGKILL if it hangs.
  return { pid: owned.pid, stop: async () => void (await owned.stop('SIGTERM', STOP_KILL_AFTER_MS)) };
}
