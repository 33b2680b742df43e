// A worker that starts beside serving ones runs at a lower CPU priority until it is ready. On shared cores its start
// (loading its modules, a cold JIT, the cache it is handed, its pool's connections) otherwise takes CPU from the
// workers that serve, and their requests wait (README, "What a reload costs"). Linux only, and only where it can be
// put back (root): an unprivileged process may lower a priority but never raise it again.
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

export interface StartingPriority {
  /** The nice value a starting worker gets. */
  readonly nice: number;
  /** Lowers every thread of `pid`; false when it could not (the process is gone, say). */
  lower(pid: number): boolean;
  /** Puts every thread of `pid` back at the primary's own priority; false when a thread could not be. */
  restore(pid: number): boolean;
}

/**
 * The control for this process's workers (`step` nicer while starting), or undefined for a step of 0 and where a
 * lowered priority could not be put back.
 */
export function startingPriority(step: number): StartingPriority | undefined {
  if (step <= 0 || process.platform !== 'linux' || process.getuid?.() !== 0) return undefined;
  const base = getPriority();
  const nice = Math.min(19, base + step);
  if (nice === base) return undefined;
  return { nice, lower: (pid) => setAllThreads(pid, nice), restore: (pid) => setAllThreads(pid, base) };
}

/**
 * Linux's setpriority() changes one thread, and a thread inherits its creator's value: so a lowered main thread
 * makes lowered threads (libuv's pool, V8's helpers), and putting back only the main thread would leave them low.
 */
function setAllThreads(pid: number, nice: number): boolean {
  let threads: number[];
  try {
    threads = readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return false;
  }
  let all = threads.length > 0;
  for (const tid of threads) {
    try {
      setPriority(tid, nice);
    } catch {
      all = false; // a thread that ended meanwhile, or the whole process
    }
  }
  return all;
}
