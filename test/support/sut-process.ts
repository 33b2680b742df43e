// Runs the real SUT entry point (cluster primary + workers) as a child process for tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';

const MAIN = new URL('../../sut/main.ts', import.meta.url).pathname;

export interface SutProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly pid: number;
  stderr(): string;
  /** Resolves when stderr has shown `pattern` `count` times in all (counting from the start). */
  waitForLog(pattern: RegExp, count?: number, timeoutMs?: number): Promise<void>;
  /** Pids of the primary's direct children (workers, and an embedded Postgres or Redis). */
  children(): number[];
  /** Pids of the cluster workers alone. */
  workers(): number[];
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function isNode(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'node';
  } catch {
    return false;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startSutProcess(env: Record<string, string>): Promise<SutProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => {
    stderr += d;
    for (const w of watchers) w();
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) {
        child.stdout!.off('data', onData);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    void exited.then(([code]) => reject(new Error(`SUT exited ${code} before listening:\n${stderr}`)));
  });

  return {
    child,
    url,
    pid: child.pid!,
    stderr: () => stderr,
    children: () => childPids(child.pid!),
    workers: () => childPids(child.pid!).filter(isNode),
    waitForLog(pattern, count = 1, timeoutMs = 30_000) {
      const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
      return new Promise((resolve, reject) => {
        const check = () => {
          if ((stderr.match(global)?.length ?? 0) >= count) {
            watchers.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`no ${count}× ${pattern} in ${timeoutMs} ms; stderr:\n${stderr}`));
        }, timeoutMs);
        watchers.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code] = await exited;
      return code;
    },
  };
}
