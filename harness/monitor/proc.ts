// Reads processes, threads and the machine's CPU from /proc (Linux) through a small reader interface, so the
// sampler's arithmetic is tested with a fake /proc; elsewhere the reader finds nothing and nothing is reported.
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';

export const CLOCK_TICKS_PER_SEC = 100; // USER_HZ on every mainstream Linux build

/** One process's (or thread's) line of /proc/<pid>/stat, the fields the monitor uses. */
export interface StatFields {
  comm: string;
  /** R, S, D, Z, … */
  state: string;
  ppid: number;
  /** utime + stime, in seconds. */
  cpuSec: number;
  /** Field 22: clock ticks after boot when it started; with the pid, it tells a reused pid from the old one. */
  startTicks: number;
}

/** The fields of /proc/<pid>/stat; the command name may contain spaces and parentheses. */
export function parseStat(text: string): StatFields | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const fields = text.slice(close + 2).split(' ');
  // after "pid (comm) ": state=0, ppid=1, …, utime=11, stime=12, …, starttime=19
  const ppid = Number(fields[1]);
  const ticks = Number(fields[11]) + Number(fields[12]);
  const startTicks = Number(fields[19]);
  if (!fields[0] || ![ppid, ticks, startTicks].every(Number.isFinite)) return undefined;
  return { comm: text.slice(open + 1, close), state: fields[0], ppid, cpuSec: ticks / CLOCK_TICKS_PER_SEC, startTicks };
}

/** VmRSS of /proc/<pid>/status in bytes; undefined when absent (a kernel thread, a zombie). */
export function parseRssBytes(statusText: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(statusText);
  return match ? Number(match[1]) * 1024 : undefined;
}

/** The machine's CPU time from /proc/stat's "cpu" line, in ticks summed over all cores. */
export interface MachineTicks {
  busy: number;
  total: number;
}

/**
 * /proc/stat's first line: user nice system idle iowait irq softirq steal guest guest_nice. Idle is idle + iowait;
 * guest time is already inside user and nice, so it is not added again.
 */
export function parseMachineStat(text: string): MachineTicks | undefined {
  const line = /^cpu\s+(.*)$/m.exec(text)?.[1];
  if (!line) return undefined;
  const v = line.trim().split(/\s+/).map(Number);
  if (v.length < 4 || v.some((n) => !Number.isFinite(n))) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: total - idle - iowait, total };
}

/** Busy share of all cores between two readings, 0–100; undefined when no time passed. */
export function machineCpuPct(previous: MachineTicks, current: MachineTicks): number | undefined {
  const total = current.total - previous.total;
  if (total <= 0) return undefined;
  return Math.min(100, Math.max(0, ((current.busy - previous.busy) / total) * 100));
}

/** What the monitor reads of /proc; every method answers undefined (or []) for what is gone or unreadable. */
export interface ProcReader {
  /** /proc/<pid>/stat */
  stat(pid: number): string | undefined;
  /** /proc/<pid>/status */
  status(pid: number): string | undefined;
  /** Direct children of pid. */
  children(pid: number): number[];
  /** Thread ids of pid (/proc/<pid>/task). */
  threads(pid: number): number[];
  /** /proc/<pid>/task/<tid>/stat */
  threadStat(pid: number, tid: number): string | undefined;
  /** /proc/stat */
  machineStat(): string | undefined;
  /** Seconds since boot (/proc/uptime), the clock of StatFields.startTicks. */
  uptimeSec(): number | undefined;
}

const buffer = Buffer.allocUnsafe(16 * 1024);

/**
 * A /proc file's text, read through one reused buffer: /proc files report size 0, and readFileSync's
 * stat-then-grow dance costs several times the open + read + close this does (it runs for every pid each second).
 */
function readText(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    let length = readSync(fd, buffer, 0, buffer.length, null);
    if (length < buffer.length) return buffer.toString('utf8', 0, length);
    const chunks = [Buffer.from(buffer.subarray(0, length))];
    while ((length = readSync(fd, buffer, 0, buffer.length, null)) > 0)
      chunks.push(Buffer.from(buffer.subarray(0, length)));
    return Buffer.concat(chunks).toString('utf8');
  } catch {
    return undefined; // the process ended while we read
  } finally {
    closeSync(fd);
  }
}

function readNumbers(dir: string): number[] {
  try {
    return readdirSync(dir)
      .filter((e) => /^\d+$/.test(e))
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * The real /proc. Children come from /proc/<pid>/task/<pid>/children (the main thread's, which is where Node,
 * PostgreSQL, Redis and nginx fork); a kernel without that file gets a scan of every /proc/<pid>/stat instead.
 */
export function createProcReader(root = '/proc'): ProcReader {
  let childrenFile: boolean | undefined;
  const scanChildren = (pid: number): number[] =>
    readNumbers(root).filter((entry) => {
      const stat = readText(`${root}/${entry}/stat`);
      return stat !== undefined && parseStat(stat)?.ppid === pid;
    });
  return {
    stat: (pid) => readText(`${root}/${pid}/stat`),
    status: (pid) => readText(`${root}/${pid}/status`),
    children(pid) {
      if (childrenFile === false) return scanChildren(pid);
      const text = readText(`${root}/${pid}/task/${pid}/children`);
      if (text === undefined) {
        // Missing for a live process: the kernel has no children file (CONFIG_PROC_CHILDREN); scan from now on.
        if (childrenFile === undefined && readText(`${root}/${pid}/stat`) !== undefined) {
          childrenFile = false;
          return scanChildren(pid);
        }
        return [];
      }
      childrenFile = true;
      return text.trim().split(/\s+/).filter(Boolean).map(Number);
    },
    threads: (pid) => readNumbers(`${root}/${pid}/task`),
    threadStat: (pid, tid) => readText(`${root}/${pid}/task/${tid}/stat`),
    machineStat: () => readText(`${root}/stat`),
    uptimeSec() {
      const seconds = Number(readText(`${root}/uptime`)?.split(' ')[0]);
      return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
    },
  };
}
