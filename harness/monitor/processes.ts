// Samples named processes one pid at a time: each root and its descendants (found afresh every sample, so
// cluster workers come and go), this process and its threads, and the machine's CPU. A pid's CPU% comes only
// from two readings of that same process (pid + start time), so a replaced worker ends its series and its
// successor starts one, and no sum can ever go negative.
import { CLOCK_TICKS_PER_SEC, machineCpuPct, parseMachineStat, parseRssBytes, parseStat } from './proc.ts';
import type { MachineTicks, ProcReader, StatFields } from './proc.ts';
import type { ProcessSample } from '../report/model.ts';

/** A process loadlab knows by name; the monitor samples it and its descendants. */
export interface ProcessRoot {
  /** The root's series name, e.g. "sut-primary", "postgres", "nginx". */
  name: string;
  /** Unset: a process loadlab did not start (an external PostgreSQL, a --target), reported as not sampled. */
  pid?: number;
  /** Figures are summed per group ("sut" is MonitorSample.sutCpuPct); default: the name. */
  group?: string;
  /**
   * Set: each descendant has its own series, `<children>:<pid>` (e.g. "sut-worker:4242"; a descendant running
   * another program is `<its command>:<pid>`). Unset: descendants are summed into the root's series (PostgreSQL's
   * backends come and go with connections).
   */
  children?: string;
}

export interface ProcessSnapshot {
  /** Processes, then this process's threads (thread: true, not in any group sum). */
  processes: ProcessSample[];
  /** Per group: the sum of its processes' CPU% (absent until one of them has two readings) and RSS. */
  groups: Record<string, { cpuPct?: number; rssMb?: number }>;
  machineCpuPct?: number;
  /** How many pids and thread ids this sample read. */
  read: { processes: number; threads: number };
}

export interface SamplerOptions {
  reader: ProcReader;
  /** This process: sampled alone (its children are the SUT and services), plus each of its threads. */
  self?: { pid: number; name: string; threads: boolean };
  /** Milliseconds on a monotonic clock. */
  now: () => number;
}

interface Reading {
  cpuSec: number;
  atMs: number;
}

interface Member {
  key: string;
  pid: number;
  stat: StatFields;
}

const BYTES_PER_MB = 1_048_576;

export class ProcessSampler {
  private readings = new Map<string, Reading>();
  private lastAtMs: number | undefined;
  private lastUptimeSec: number | undefined;
  private lastMachine: MachineTicks | undefined;
  /** Each root's start time at its first reading: a root pid reused by another program is not that root. */
  private readonly rootStarts = new Map<ProcessRoot, number>();

  constructor(
    private readonly roots: ProcessRoot[],
    private readonly o: SamplerOptions,
  ) {}

  /** Names of the roots that are not sampled (no pid: not started by loadlab). */
  notSampled(): string[] {
    return this.roots.filter((r) => r.pid === undefined).map((r) => r.name);
  }

  sample(): ProcessSnapshot {
    const { reader } = this.o;
    const uptimeSec = reader.uptimeSec();
    const atMs = this.o.now();
    const next = new Map<string, Reading>();
    const processes: ProcessSample[] = [];
    const read = { processes: 0, threads: 0 };
    const cpuPctOf = (key: string, stat: StatFields): number | undefined => {
      next.set(key, { cpuSec: stat.cpuSec, atMs });
      const before = this.readings.get(key);
      if (before) return pct(stat.cpuSec - before.cpuSec, atMs - before.atMs);
      // Born after the previous sample (on the same clock as its start time): it had used no CPU then.
      const bornAfter =
        uptimeSec !== undefined &&
        this.lastUptimeSec !== undefined &&
        this.lastAtMs !== undefined &&
        stat.startTicks / CLOCK_TICKS_PER_SEC > this.lastUptimeSec;
      return bornAfter ? pct(stat.cpuSec, atMs - this.lastAtMs!) : undefined;
    };
    const rssMbOf = (pid: number): number | undefined => {
      const bytes = parseRssBytes(reader.status(pid) ?? '');
      return bytes === undefined ? undefined : bytes / BYTES_PER_MB;
    };

    const claimed = new Set<number>(this.roots.flatMap((r) => (r.pid === undefined ? [] : [r.pid])));
    if (this.o.self) claimed.add(this.o.self.pid);
    for (const root of this.roots) {
      if (root.pid === undefined) continue;
      const members = this.members(root, root.pid, claimed);
      read.processes += members.length;
      const group = root.group ?? root.name;
      const figures = members.map((m) => ({ m, cpuPct: cpuPctOf(m.key, m.stat), rssMb: rssMbOf(m.pid) }));
      if (root.children === undefined) {
        if (figures.length === 0) continue;
        processes.push(
          figure(
            root.name,
            group,
            root.pid,
            sumDefined(figures.map((f) => f.cpuPct)),
            sumDefined(figures.map((f) => f.rssMb)),
          ),
        );
        continue;
      }
      const rootComm = members[0]?.pid === root.pid ? members[0].stat.comm : undefined;
      for (const { m, cpuPct, rssMb } of figures) {
        const name =
          m.pid === root.pid ? root.name : `${m.stat.comm === rootComm ? root.children : m.stat.comm}:${m.pid}`;
        processes.push(figure(name, group, m.pid, cpuPct, rssMb));
      }
    }
    if (this.o.self) {
      const { pid, name } = this.o.self;
      const stat = parseStat(reader.stat(pid) ?? '');
      if (stat) {
        read.processes += 1;
        processes.push(figure(name, name, pid, cpuPctOf(`p:${pid}:${stat.startTicks}`, stat), rssMbOf(pid)));
      }
      if (this.o.self.threads) {
        for (const tid of reader.threads(pid)) {
          const t = parseStat(reader.threadStat(pid, tid) ?? '');
          if (!t) continue;
          read.threads += 1;
          const threadName = tid === pid ? `${name}-main` : `${name}-thread:${tid}`;
          const cpuPct = cpuPctOf(`t:${tid}:${t.startTicks}`, t);
          processes.push({ ...figure(threadName, name, tid, cpuPct, undefined), thread: true });
        }
      }
    }

    const groups: ProcessSnapshot['groups'] = {};
    for (const p of processes) {
      if (p.thread) continue;
      const g = (groups[p.group] ??= {});
      if (p.cpuPct !== undefined) g.cpuPct = (g.cpuPct ?? 0) + p.cpuPct;
      if (p.rssMb !== undefined) g.rssMb = (g.rssMb ?? 0) + p.rssMb;
    }
    for (const g of Object.values(groups)) {
      if (g.cpuPct !== undefined) g.cpuPct = round1(g.cpuPct);
      if (g.rssMb !== undefined) g.rssMb = round1(g.rssMb);
    }
    for (const p of processes) {
      if (p.cpuPct !== undefined) p.cpuPct = round1(p.cpuPct);
      if (p.rssMb !== undefined) p.rssMb = round1(p.rssMb);
    }

    const machine = parseMachineStat(reader.machineStat() ?? '');
    const machinePct = machine && this.lastMachine ? machineCpuPct(this.lastMachine, machine) : undefined;
    this.lastMachine = machine;
    this.readings = next; // a pid not read this time has ended its series
    this.lastAtMs = atMs;
    this.lastUptimeSec = uptimeSec;
    return { processes, groups, ...(machinePct !== undefined ? { machineCpuPct: round1(machinePct) } : {}), read };
  }

  /** The root and every descendant not claimed by another root, depth first; each keyed by pid and start time. */
  private members(root: ProcessRoot, rootPid: number, claimed: Set<number>): Member[] {
    const out: Member[] = [];
    const visit = (pid: number, isRoot: boolean) => {
      if (!isRoot && claimed.has(pid)) return;
      const stat = parseStat(this.o.reader.stat(pid) ?? '');
      if (!stat) return; // gone
      if (isRoot && stat.startTicks !== (this.rootStarts.get(root) ?? stat.startTicks)) return; // pid reused
      if (isRoot) this.rootStarts.set(root, stat.startTicks);
      if (!isRoot) claimed.add(pid);
      out.push({ key: `p:${pid}:${stat.startTicks}`, pid, stat });
      for (const child of this.o.reader.children(pid)) visit(child, false);
    };
    visit(rootPid, true);
    return out;
  }
}

function pct(cpuSec: number, wallMs: number): number | undefined {
  if (wallMs <= 0) return undefined;
  return (Math.max(0, cpuSec) / (wallMs / 1000)) * 100;
}

function sumDefined(values: (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length ? defined.reduce((a, b) => a + b, 0) : undefined;
}

function figure(name: string, group: string, pid: number, cpuPct?: number, rssMb?: number): ProcessSample {
  return { name, group, pid, ...(cpuPct !== undefined ? { cpuPct } : {}), ...(rssMb !== undefined ? { rssMb } : {}) };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
