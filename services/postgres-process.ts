// Runs initdb and the postgres server as child processes: logs go to a callback line by line,
// readiness is the server's own "ready" line, a watchdog stops the server if we die, and stop()
// waits until the process is gone.
import { spawn, type ChildProcess } from 'node:child_process';
import { collectOutput } from './child-output.ts';
import type { PgBinaries } from './postgres-binaries.ts';
import type { OsUser } from './postgres-dirs.ts';

export interface RunOptions {
  runAs?: OsUser;
  /** A folder the run-as user can enter (initdb and postgres complain about an unreadable cwd). */
  cwd: string;
  log: (line: string) => void;
}

/** A failure of a child process, with the last lines it printed. */
export class ChildFailure extends Error {
  constructor(
    message: string,
    readonly outputTail: string[],
    readonly portTaken = false,
  ) {
    super(message);
  }
}


function spawnChild(command: string, args: string[], options: RunOptions): { child: ChildProcess; tail: string[] } {
  const child = spawn(command, args, {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    // lc_messages=C keeps the "ready to accept connections" line we wait for in English.
    env: { ...process.env, LC_MESSAGES: 'C', LANG: 'C' },
    ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
  });
  return { child, tail: collectOutput(child, options.log) };
}

export function runInitdb(binaries: PgBinaries, args: string[], options: RunOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const { child, tail } = spawnChild(binaries.initdb, args, options);
    child.once('error', (err) => reject(new ChildFailure(`initdb could not run: ${err.message}`, tail)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new ChildFailure(`initdb failed (${signal ?? `exit ${code}`})`, tail));
    });
  });
}

export interface RunningPostgres {
  pid: number;
  stop(): Promise<void>;
}

/**
 * Parent-death guard (as for redis): a tiny `sh` blocks reading a pipe only this process writes to.
 * When this process dies, even by SIGKILL, the kernel closes the pipe and the shell asks postgres
 * for a fast shutdown, so no server outlives us holding its port and data folder.
 */
function startWatchdog(postgresPid: number): ChildProcess {
  const script = 'read _ignored; [ ! -d /proc ] || [ "$(cat /proc/$1/comm 2>/dev/null)" = postgres ] && kill -INT "$1" 2>/dev/null';
  const watchdog = spawn('sh', ['-c', script, 'loadlab-postgres-watchdog', String(postgresPid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.on('error', () => undefined); // no sh: only the SIGKILL guard is lost; the next start cleans up
  watchdog.stdin?.on('error', () => undefined);
  return watchdog;
}

function stopChild(child: ChildProcess, watchdog?: ChildProcess): Promise<void> {
  watchdog?.kill('SIGKILL'); // first: once postgres is gone its pid may be reused
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // SIGINT = fast shutdown (disconnects clients, checkpoints); escalate if it hangs.
    const escalate = [
      setTimeout(() => child.kill('SIGQUIT'), 20_000),
      setTimeout(() => child.kill('SIGKILL'), 25_000),
    ];
    child.once('exit', () => {
      escalate.forEach(clearTimeout);
      resolve();
    });
    child.kill('SIGINT');
  });
}

const READY_LINE = 'database system is ready to accept connections';
const PORT_TAKEN = /could not bind|Address already in use|could not create any TCP\/IP sockets/;

/** Starts the server and resolves once it accepts connections; rejects with ChildFailure otherwise. */
export function startServer(
  binaries: PgBinaries,
  args: string[],
  options: RunOptions & { startTimeoutMs: number },
): Promise<RunningPostgres> {
  return new Promise((resolve, reject) => {
    const { child, tail } = spawnChild(binaries.postgres, args, {
      ...options,
      log: (line) => {
        options.log(line);
        if (line.includes(READY_LINE)) settle(null);
      },
    });
    const timer = setTimeout(() => settle(`did not become ready within ${options.startTimeoutMs} ms`), options.startTimeoutMs);
    let settled = false;
    function settle(failure: string | null): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (failure === null) {
        const watchdog = child.pid === undefined ? undefined : startWatchdog(child.pid);
        resolve({ pid: child.pid ?? -1, stop: () => stopChild(child, watchdog) });
        return;
      }
      void stopChild(child).then(() => reject(new ChildFailure(failure, tail, tail.some((l) => PORT_TAKEN.test(l)))));
    }
    child.once('error', (err) => settle(`could not run: ${err.message}`));
    // 'close' waits for the output pipes, so the tail holds the server's last words.
    child.once('close', (code, signal) => settle(`exited during start (${signal ?? `exit ${code}`})`));
  });
}
