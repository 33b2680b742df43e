// A fake /proc for the monitor's tests: processes and threads whose CPU time, start time and RSS a test sets.
import type { ProcReader } from '../../../harness/monitor/proc.ts';

export interface FakeProcess {
  comm: string;
  ppid: number;
  /** CPU seconds (utime + stime), in whole clock ticks of 10 ms. */
  cpuSec: number;
  /** Start time in seconds after boot. */
  startSec: number;
  rssMb?: number;
  state?: string;
  threads?: Map<number, { cpuSec: number; startSec: number }>;
}

/** A /proc/<pid>/stat line: utime is fields[11] after "pid (comm) ", stime fields[12], starttime fields[19]. */
export function statLine(
  pid: number,
  comm: string,
  f: { state?: string; ppid: number; cpuSec: number; startSec: number },
): string {
  const fields = new Array<string>(40).fill('0');
  fields[0] = f.state ?? 'S';
  fields[1] = String(f.ppid);
  fields[11] = String(Math.round(f.cpuSec * 100));
  fields[12] = '0';
  fields[19] = String(Math.round(f.startSec * 100));
  return `${pid} (${comm}) ${fields.join(' ')}\n`;
}

export class FakeProc implements ProcReader {
  readonly procs = new Map<number, FakeProcess>();
  uptime = 1000;
  machine = { busy: 0, idle: 0 };

  add(pid: number, p: Omit<FakeProcess, 'startSec'> & { startSec?: number }): this {
    this.procs.set(pid, { startSec: this.uptime - 100, ...p });
    return this;
  }

  /** Advances the clock the start times are on, and adds CPU to running processes. */
  tick(seconds: number, cpu: Record<number, number> = {}): void {
    this.uptime += seconds;
    for (const [pid, sec] of Object.entries(cpu)) this.procs.get(Number(pid))!.cpuSec += sec;
  }

  stat(pid: number): string | undefined {
    const p = this.procs.get(pid);
    return p && statLine(pid, p.comm, p);
  }

  status(pid: number): string | undefined {
    const p = this.procs.get(pid);
    if (!p) return undefined;
    return `Name:\t${p.comm}\n${p.rssMb !== undefined ? `VmRSS:\t${p.rssMb * 1024} kB\n` : ''}Threads:\t1\n`;
  }

  children(pid: number): number[] {
    return [...this.procs].filter(([, p]) => p.ppid === pid).map(([child]) => child);
  }

  threads(pid: number): number[] {
    return [...(this.procs.get(pid)?.threads?.keys() ?? [])];
  }

  threadStat(pid: number, tid: number): string | undefined {
    const t = this.procs.get(pid)?.threads?.get(tid);
    return t && statLine(tid, 'node', { ppid: 1, ...t });
  }

  machineStat(): string | undefined {
    return `cpu  ${this.machine.busy} 0 0 ${this.machine.idle} 0 0 0 0 0 0\ncpu0 1 2 3 4\n`;
  }

  uptimeSec(): number | undefined {
    return this.uptime;
  }
}
