// One child process the harness owns: spawned in its own process group (so a terminal's Ctrl-C
// reaches only the harness, which then stops it once), its output kept line by line, and a stop
// that escalates from a polite signal to SIGKILL on the whole group.
import { findFreePort } from '../../lib/host.ts';
export { findFreePort };
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';

export interface OwnedChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every stdout and stderr line so far (the last `maxLines`). */
  lines(): string[];
  /** Resolves with the `count`-th (default 1st) line matching `pattern` after line index `from`. */
  waitForLine(pattern: RegExp, options?: { from?: number; count?: number; timeoutMs?: number }): Promise<string>;
  /** Number of lines seen so far (a cursor for waitForLine's `from`). */
  lineCount(): number;
  exited(): boolean;
  /** Resolves with [code, signal] once the process has exited. */
  readonly exit: Promise<[number | null, NodeJS.Signals | null]>;
  /** Sends `signal`, waits up to `timeoutMs`, then SIGKILLs the process group; resolves on exit. */
  stop(signal: NodeJS.Signals, timeoutMs: number): Promise<void>;
  /** Sync last resort: signal the whole process group. */
  killGroup(signal: NodeJS.Signals): void;
}

const MAX_LINES = 2_000;

export function spawnOwned(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): OwnedChild {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const seen: string[] = [];
  let dropped = 0;
  const watchers = new Set<() => void>();
  const onText = (buffer: { rest: string }) => (chunk: Buffer) => {
    const parts = (buffer.rest + chunk.toString('utf8')).split('\n');
    buffer.rest = parts.pop() ?? '';
    for (const line of parts) seen.push(line);
    if (seen.length > MAX_LINES) dropped += seen.splice(0, seen.length - MAX_LINES).length;
    for (const w of watchers) w();
  };
  child.stdout!.on('data', onText({ rest: '' }));
  child.stderr!.on('data', onText({ rest: '' }));
  let spawnError: Error | undefined;
  const exit = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once('exit', (code, signal) => resolve([code, signal]));
    child.once('error', (err) => {
      spawnError = err; // e.g. ENOENT: there will be no 'exit'
      if (child.pid === undefined) resolve([null, null]);
    });
  });
  // 'close' comes after the last output line, so a waiter sees everything before giving up.
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => child.pid === undefined && resolve());
  });
  const isExited = () => child.exitCode !== null || child.signalCode !== null || (spawnError !== undefined && child.pid === undefined);

  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is gone
    }
  };

  return {
    child,
    pid: child.pid ?? -1,
    exit,
    lines: () => seen.slice(),
    lineCount: () => seen.length + dropped,
    exited: isExited,
    killGroup,
    waitForLine(pattern, { from = 0, count = 1, timeoutMs = 30_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const start = Math.max(0, from - dropped);
          const hit = seen.slice(start).filter((line) => pattern.test(line))[count - 1];
          if (hit !== undefined) return done(() => resolve(hit));
          if (gone) return done(() => reject(spawnError ?? new Error(`exited before printing ${count}× ${pattern}`)));
        };
        let gone = false;
        const done = (settle: () => void) => {
          watchers.delete(check);
          clearTimeout(timer);
          settle();
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${count}× ${pattern} within ${timeoutMs} ms`))), timeoutMs);
        watchers.add(check);
        void closed.then(() => {
          gone = true;
          check();
        });
        check();
      });
    },
    async stop(signal, timeoutMs) {
      if (isExited() || child.pid === undefined) return;
      const group = descendants(child.pid);
      child.kill(signal);
      const timer = setTimeout(() => {
        killGroup('SIGKILL');
        for (const pid of group) killQuietly(pid, 'SIGKILL');
      }, timeoutMs);
      await exit;
      clearTimeout(timer);
      // Children that outlived their parent (they should not) must not keep ports: end the group.
      killGroup('SIGKILL');
    },
  };
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone
  }
}

/** Direct children of `pid` (Linux /proc; empty elsewhere). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Every descendant of `pid`, depth first. */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  for (const c of childPids(pid)) out.push(c, ...descendants(c));
  return out;
}

export function commandName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** True while `pid` runs; a zombie (dead, not yet reaped — e.g. orphaned under a container's init) is not. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S …"; comm may contain spaces, so read after the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc: kill(0) is all we know
  }
}


/** Resolves once a TCP connection to host:port succeeds; retries every `intervalMs` until `until` settles or times out. */
export async function waitForPort(host: string, port: number, options: { timeoutMs: number; gaveUp: () => boolean }): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline && !options.gaveUp()) {
    if (await canConnect(host, port)) return true;
    await new Promise((r) => setTimeout(r, 25));
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
