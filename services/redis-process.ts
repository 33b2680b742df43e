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

/** One PING over a raw socket: true on "+PONG"; never throws (a refused connection is just "not yet"). */
export function pingRedis(port: number, host = '127.0.0.1', timeoutMs = PING_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
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
    startTimeoutMs: number;
    log: (line: string) => void;
  },
): Promise<RedisChild> {
  const owned = await startOwned(binary, args, {
    cwd: options.dir,
    onLine: options.log,
    name: 'redis-server',
    ready: { probe: () => pingRedis(options.port), timeoutMs: options.startTimeoutMs },
    portTaken: PORT_TAKEN,
    watchdog: { signal: 'SIGTERM', killAfterMs: STOP_KILL_AFTER_MS, removeDir: options.dir },
  });
  // SIGTERM: redis shuts down cleanly (no save with `--save ""`); SIGKILL if it hangs.
  return { pid: owned.pid, stop: async () => void (await owned.stop('SIGTERM', STOP_KILL_AFTER_MS)) };
}
