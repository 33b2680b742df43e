// Runs one redis-server child: a raw-socket PING for readiness, a watchdog that kills it if we die,
// and a stop() that waits until the process is gone and its port is free.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { collectOutput } from './child-output.ts';

export interface RedisChild {
  pid: number;
  stop(): Promise<void>;
}

/** A failure to start, with redis-server's last lines; `portTaken` lets the caller retry on a new port. */
export class RedisStartFailure extends Error {
  constructor(
    message: string,
    readonly outputTail: string[],
    readonly portTaken: boolean,
  ) {
    super(message);
  }
}

const PING_INTERVAL_MS = 20;
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
 * The parent-death guard. redis-server cannot watch its parent and Node has no PR_SET_PDEATHSIG, so a
 * tiny `sh` holds the read end of a pipe whose write end only this process has: when this process
 * dies for any reason (even SIGKILL) the kernel closes the pipe, `read` sees EOF and the shell sends
 * SIGTERM to redis-server, then removes its temp folder. A pipe needs no polling and cannot be fooled
 * by pid reuse of the parent. (Ctrl-C reaches redis-server directly: it shares our process group.)
 */
function startWatchdog(redisPid: number, dir: string): ChildProcess {
  // The pause lets redis finish shutting down before its folder goes (it writes nothing there: no RDB/AOF).
  const script = 'read _ignored; kill -TERM "$1" 2>/dev/null; sleep 1; rm -rf "$2"';
  const watchdog = spawn('sh', ['-c', script, 'loadlab-redis-watchdog', String(redisPid), dir], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.on('error', () => undefined); // no sh: we lose only the SIGKILL guard, never the server
  watchdog.stdin?.on('error', () => undefined);
  return watchdog;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM (redis shuts down cleanly, no save with `--save ""`), SIGKILL if it hangs; resolves once it exited. */
async function stopChild(child: ChildProcess, watchdog: ChildProcess): Promise<void> {
  // The watchdog goes first: once the server is gone its pid may be reused, and the shell must not signal it.
  watchdog.kill('SIGKILL');
  if (!hasExited(child)) {
    const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_KILL_AFTER_MS);
    child.kill('SIGTERM');
    await waitForExit(child);
    clearTimeout(escalate);
  }
  await waitForExit(watchdog);
}


/** Spawns redis-server with `args` and resolves once it answers PING on `port`. */
export async function spawnRedisServer(
  binary: string,
  args: string[],
  options: { port: number; /** Its working folder, removed by the watchdog if we die. */ dir: string; startTimeoutMs: number; log: (line: string) => void },
): Promise<RedisChild> {
  const child = spawn(binary, args, { cwd: options.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = collectOutput(child, options.log);
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const exited = new Promise<string>((resolve) =>
    // 'close' waits for the output pipes, so the tail holds the server's last words.
    child.once('close', (code, signal) => resolve(`exited during start (${signal ?? `exit ${code}`})`)),
  );
  const watchdog = child.pid === undefined ? null : startWatchdog(child.pid, options.dir);
  const failure = await Promise.race([
    waitUntilAnswers(options.port, options.startTimeoutMs, () => hasExited(child)),
    spawnError.then((err) => `could not run ${binary}: ${err.message}`),
    exited,
  ]);
  if (failure === null && watchdog) return { pid: child.pid!, stop: () => stopChild(child, watchdog) };
  if (watchdog) await stopChild(child, watchdog);
  if (child.pid !== undefined) await exited; // the output pipes are drained: the tail is complete
  const reason = failure ?? 'could not start its parent-death watchdog';
  throw new RedisStartFailure(reason, tail, tail.some((line) => PORT_TAKEN.test(line)));
}

/** Polls PING until it answers (null), the process died, or the deadline passed (a reason). */
async function waitUntilAnswers(port: number, timeoutMs: number, died: () => boolean): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (died()) return 'exited during start';
    if (await pingRedis(port)) return null;
    await new Promise((resolve) => setTimeout(resolve, PING_INTERVAL_MS));
  }
  return `did not answer PING within ${timeoutMs} ms`;
}
