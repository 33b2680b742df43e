// The core of the spawn primitive: a child in its own process group, its output kept line by line,
// a parent-death watchdog, and a stop that escalates from a polite signal to SIGKILL of the group.
import { spawn, type ChildProcess } from 'node:child_process';
import { groupMembers, groupSignalable, signalQuietly } from './process-tree.ts';
import { startWatchdog, type WatchdogOptions } from './watchdog.ts';

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user (root only; e.g. postgres, which refuses to run as root). */
  uid?: number;
  gid?: number;
  /**
   * Own process group (default true): a terminal's Ctrl-C then reaches only the owner, which
   * stops the child once and in order, and stop() can SIGKILL everything the child started.
   */
  detached?: boolean;
  /** Called with every output line (stdout and stderr), e.g. to log it. */
  onLine?: (line: string) => void;
  /** 'inherit': the child writes to our stdout and stderr directly (no lines are kept). Default 'pipe'. */
  output?: 'pipe' | 'inherit';
  /** Signal the child if this process dies, even by SIGKILL (default: off). */
  watchdog?: WatchdogOptions;
}

export type ExitStatus = [code: number | null, signal: NodeJS.Signals | null];

export interface OwnedChild {
  readonly child: ChildProcess;
  /** The child's pid (also its process group id when detached); -1 when it could not start. */
  readonly pid: number;
  /** Every stdout and stderr line so far (the last MAX_LINES). */
  lines(): string[];
  /** Number of lines seen so far: a cursor for waitForLine's `from`. */
  lineCount(): number;
  /**
   * Resolves with the `count`-th (default 1st) line matching `pattern` after line index `from`
   * (default 0); rejects on timeout (default 30 s) or when the child exits first.
   * @example const from = owned.lineCount(); process.kill(owned.pid, 'SIGHUP');
   *          await owned.waitForLine(/reload: done/, { from });
   */
  waitForLine(pattern: RegExp, options?: { from?: number; count?: number; timeoutMs?: number }): Promise<string>;
  exited(): boolean;
  /** Resolves with [code, signal] once the child has exited and its output is read. */
  readonly exit: Promise<ExitStatus>;
  /** The spawn error (e.g. ENOENT), if the child could not run. */
  spawnError(): Error | undefined;
  /**
   * Sends `signal` to the child, waits up to `timeoutMs`, then SIGKILLs its process group;
   * resolves once it exited and (detached) its group is gone. Safe to call more than once.
   */
  stop(signal: NodeJS.Signals, timeoutMs: number): Promise<ExitStatus>;
  /** Sync last resort: signal the whole process group (or the child alone when not detached). */
  killGroup(signal: NodeJS.Signals): void;
}

const MAX_LINES = 2_000;
const GROUP_GONE_POLL_MS = 20;
const GROUP_GONE_WAIT_MS = 2_000;

/** Spawns `command` with piped output. Never throws: a spawn error shows in `exit` and `spawnError()`. */
export function spawnOwned(command: string, args: readonly string[], options: SpawnOptions = {}): OwnedChild {
  const detached = options.detached ?? true;
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', options.output ?? 'pipe', options.output ?? 'pipe'],
    detached,
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid }),
  });
  const output = collectLines(child, options.onLine);
  let failedToSpawn: Error | undefined;
  child.once('error', (err) => (failedToSpawn ??= err));
  // 'close' comes after the last output line, so a waiter sees everything before giving up.
  const exit = new Promise<ExitStatus>((resolve) => {
    child.once('close', (code, signal) => resolve([code, signal]));
    child.once('error', () => child.pid === undefined && resolve([null, null]));
  });
  const watchdog = child.pid !== undefined && options.watchdog ? startWatchdog(child.pid, options.watchdog) : undefined;
  // Once the child is gone its pid may be reused: the guard must not signal a stranger.
  child.once('exit', () => watchdog?.kill('SIGKILL'));
  const exited = () =>
    child.exitCode !== null || child.signalCode !== null || (failedToSpawn !== undefined && child.pid === undefined);
  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid !== undefined) signalQuietly(detached ? -child.pid : child.pid, signal);
  };
  let stopping: Promise<ExitStatus> | undefined;
  return {
    child,
    pid: child.pid ?? -1,
    exit,
    lines: () => output.lines(),
    lineCount: () => output.count(),
    waitForLine: (pattern, waitOptions) => output.waitFor(pattern, waitOptions ?? {}, exit, () => failedToSpawn),
    exited,
    spawnError: () => failedToSpawn,
    killGroup,
    stop: (signal, timeoutMs) =>
      (stopping ??= stopChild({ child, exit, exited, killGroup, detached, watchdog }, signal, timeoutMs)),
  };
}

async function stopChild(
  owned: {
    child: ChildProcess;
    exit: Promise<ExitStatus>;
    exited: () => boolean;
    killGroup: (s: NodeJS.Signals) => void;
    detached: boolean;
    watchdog?: ChildProcess;
  },
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<ExitStatus> {
  owned.watchdog?.kill('SIGKILL'); // first: the child's pid may be reused once it is gone
  if (!owned.exited()) owned.child.kill(signal);
  const escalate = setTimeout(() => owned.killGroup('SIGKILL'), timeoutMs);
  const status = await owned.exit;
  clearTimeout(escalate);
  // Processes the child started and left behind (they should not) must not keep ports: end the group.
  if (owned.detached && owned.child.pid !== undefined) await endGroup(owned.child.pid);
  return status;
}

async function endGroup(pgid: number): Promise<void> {
  signalQuietly(-pgid, 'SIGKILL');
  for (let waitedMs = 0; waitedMs < GROUP_GONE_WAIT_MS; waitedMs += GROUP_GONE_POLL_MS) {
    if (!groupSignalable(pgid) || groupMembers(pgid).length === 0) return; // zombies only: gone
    await new Promise((resolve) => setTimeout(resolve, GROUP_GONE_POLL_MS));
  }
}

interface LineLog {
  lines(): string[];
  count(): number;
  waitFor(
    pattern: RegExp,
    options: { from?: number; count?: number; timeoutMs?: number },
    exit: Promise<ExitStatus>,
    spawnError: () => Error | undefined,
  ): Promise<string>;
}

/** Keeps the last MAX_LINES lines of stdout and stderr and lets callers wait for one. */
function collectLines(child: ChildProcess, onLine?: (line: string) => void): LineLog {
  const seen: string[] = [];
  let dropped = 0;
  const watchers = new Set<() => void>();
  const onText = (buffer: { rest: string }) => (chunk: Buffer) => {
    const parts = (buffer.rest + chunk.toString('utf8')).split('\n');
    buffer.rest = parts.pop() ?? '';
    for (const line of parts) {
      seen.push(line);
      onLine?.(line);
    }
    if (seen.length > MAX_LINES) dropped += seen.splice(0, seen.length - MAX_LINES).length;
    for (const watcher of watchers) watcher();
  };
  child.stdout?.on('data', onText({ rest: '' }));
  child.stderr?.on('data', onText({ rest: '' }));
  return {
    lines: () => seen.slice(),
    count: () => seen.length + dropped,
    waitFor(pattern, { from = 0, count = 1, timeoutMs = 30_000 }, exit, spawnError) {
      return new Promise((resolve, reject) => {
        let gone = false;
        const check = () => {
          const hit = seen.slice(Math.max(0, from - dropped)).filter((line) => pattern.test(line))[count - 1];
          if (hit !== undefined) return done(() => resolve(hit));
          if (gone) done(() => reject(spawnError() ?? new Error(`exited before printing ${count}× ${pattern}`)));
        };
        const done = (settle: () => void) => {
          watchers.delete(check);
          clearTimeout(timer);
          settle();
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`no ${count}× ${pattern} within ${timeoutMs} ms`))),
          timeoutMs,
        );
        watchers.add(check);
        void exit.then(() => {
          gone = true;
          check();
        });
        check();
      });
    },
  };
}
