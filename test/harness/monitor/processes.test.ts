// The per-pid sampler against a fake /proc: exact CPU% per process and per group, series that end and begin as
// workers are replaced, pid reuse, summed roots, generator threads, the machine's CPU — and never a negative figure.
import { describe, expect, it } from 'vitest';
import { ProcessSampler, type ProcessRoot, type ProcessSnapshot } from '../../../harness/monitor/processes.ts';
import { FakeProc } from './fake-proc.ts';

const SUT: ProcessRoot = { name: 'sut-primary', pid: 100, group: 'sut', children: 'sut-worker' };

function setup(roots: ProcessRoot[], self?: { pid: number; name: string; threads: boolean }) {
  const proc = new FakeProc();
  let nowMs = 0;
  const sampler = new ProcessSampler(roots, { reader: proc, now: () => nowMs, ...(self ? { self } : {}) });
  /** One second passes: the fake clock, the boot clock and the given CPU seconds per pid. */
  const second = (cpu: Record<number, number> = {}) => {
    proc.tick(1, cpu);
    nowMs += 1000;
  };
  return { proc, sampler, second };
}

const byName = (s: ProcessSnapshot) => Object.fromEntries(s.processes.map((p) => [p.name, p]));

describe('ProcessSampler', () => {
  it('gives each SUT process its own CPU% from two readings of it, and the group their sum', () => {
    const { proc, sampler, second } = setup([SUT]);
    proc.add(100, { comm: 'node', ppid: 1, cpuSec: 5, rssMb: 60 });
    proc.add(101, { comm: 'node', ppid: 100, cpuSec: 40, rssMb: 120 });
    proc.add(102, { comm: 'node', ppid: 100, cpuSec: 30, rssMb: 110 });
    const first = sampler.sample();
    expect(first.processes.map((p) => p.cpuPct)).toEqual([undefined, undefined, undefined]);
    expect(first.groups.sut).toEqual({ rssMb: 290 });
    second({ 100: 0.1, 101: 0.5, 102: 0.7 });
    const next = sampler.sample();
    expect(next.processes).toEqual([
      { name: 'sut-primary', group: 'sut', pid: 100, cpuPct: 10, rssMb: 60 },
      { name: 'sut-worker:101', group: 'sut', pid: 101, cpuPct: 50, rssMb: 120 },
      { name: 'sut-worker:102', group: 'sut', pid: 102, cpuPct: 70, rssMb: 110 },
    ]);
    expect(next.groups).toEqual({ sut: { cpuPct: 130, rssMb: 290 } });
    expect(next.read).toEqual({ processes: 3, threads: 0 });
  });

  it('a replaced worker ends its series and its successor starts one; the sum never goes negative', () => {
    const { proc, sampler, second } = setup([SUT]);
    proc.add(100, { comm: 'node', ppid: 1, cpuSec: 5 });
    proc.add(101, { comm: 'node', ppid: 100, cpuSec: 297 }); // a long-lived worker: lots of CPU seconds
    proc.add(102, { comm: 'node', ppid: 100, cpuSec: 30 });
    sampler.sample();
    second({ 100: 0.2, 101: 0.4, 102: 0.4 });
    sampler.sample();
    // Rolling reload: 101 exits, 103 starts (after the previous sample) and uses 0.3 s in its first second.
    proc.procs.delete(101);
    proc.add(103, { comm: 'node', ppid: 100, cpuSec: 0, startSec: proc.uptime + 0.2 });
    second({ 100: 0.1, 102: 0.5, 103: 0.3 });
    const during = sampler.sample();
    expect(Object.keys(byName(during))).toEqual(['sut-primary', 'sut-worker:102', 'sut-worker:103']);
    expect(byName(during)['sut-worker:103']!.cpuPct).toBe(30);
    expect(during.groups.sut!.cpuPct).toBe(90);
    second({ 100: 0.1, 102: 0.2, 103: 0.6 });
    const after = sampler.sample();
    expect(after.processes.map((p) => [p.name, p.cpuPct])).toEqual([
      ['sut-primary', 10],
      ['sut-worker:102', 20],
      ['sut-worker:103', 60],
    ]);
    expect(after.groups.sut!.cpuPct).toBe(90);
  });

  it('a process seen for the first time but started before the previous sample has no CPU% yet', () => {
    const { proc, sampler, second } = setup([SUT]);
    proc.add(100, { comm: 'node', ppid: 1, cpuSec: 5 });
    sampler.sample();
    // 104 ran before the previous sample but was not a child then (re-parented, or unreadable): no baseline.
    proc.add(104, { comm: 'node', ppid: 100, cpuSec: 50, startSec: proc.uptime - 10 });
    second({ 100: 0.1 });
    const s = sampler.sample();
    expect(byName(s)['sut-worker:104']).toEqual({ name: 'sut-worker:104', group: 'sut', pid: 104 });
    expect(s.groups.sut!.cpuPct).toBe(10);
  });

  it('a reused pid (another start time) is a new process, never a drop in the old one', () => {
    const { proc, sampler, second } = setup([SUT]);
    proc.add(100, { comm: 'node', ppid: 1, cpuSec: 5 });
    proc.add(101, { comm: 'node', ppid: 100, cpuSec: 80 });
    sampler.sample();
    proc.procs.delete(101);
    proc.add(101, { comm: 'node', ppid: 100, cpuSec: 0.4, startSec: proc.uptime + 0.5 });
    second({ 100: 0.1 });
    const s = sampler.sample();
    expect(byName(s)['sut-worker:101']!.cpuPct).toBe(40); // its own 0.4 s, not 0.4 − 80
    expect(s.groups.sut!.cpuPct).toBe(50);
  });

  it('sums a root without `children` into one series (PostgreSQL and its backends) from per-pid deltas', () => {
    const { proc, sampler, second } = setup([{ name: 'postgres', pid: 200 }]);
    proc.add(200, { comm: 'postgres', ppid: 1, cpuSec: 1, rssMb: 30 });
    proc.add(201, { comm: 'postgres', ppid: 200, cpuSec: 100, rssMb: 10 });
    proc.add(202, { comm: 'postgres', ppid: 200, cpuSec: 2, rssMb: 10 });
    sampler.sample();
    proc.procs.delete(201); // a busy backend disconnects
    proc.add(203, { comm: 'postgres', ppid: 200, cpuSec: 0, startSec: proc.uptime + 0.1, rssMb: 8 });
    second({ 200: 0.05, 202: 0.25, 203: 0.1 });
    const s = sampler.sample();
    expect(s.processes).toEqual([{ name: 'postgres', group: 'postgres', pid: 200, cpuPct: 40, rssMb: 48 }]);
    expect(s.groups).toEqual({ postgres: { cpuPct: 40, rssMb: 48 } });
  });

  it('names a descendant running another program by its command, and samples a root pid only while it is the same process', () => {
    const { proc, sampler, second } = setup([SUT]);
    proc.add(100, { comm: 'node', ppid: 1, cpuSec: 5 });
    proc.add(105, { comm: 'redis-server', ppid: 100, cpuSec: 1 });
    sampler.sample();
    second({ 105: 0.03 });
    expect(byName(sampler.sample())['redis-server:105']).toMatchObject({ group: 'sut', cpuPct: 3 });
    proc.procs.clear();
    proc.add(100, { comm: 'bash', ppid: 1, cpuSec: 0, startSec: proc.uptime + 0.5 }); // pid 100 reused
    second();
    expect(sampler.sample()).toMatchObject({ processes: [], groups: {} });
  });

  it('counts a process once when it is also under another root, and reports roots without a pid as not sampled', () => {
    const { proc, sampler, second } = setup([
      { name: 'sut', pid: 300, children: 'sut-child' },
      { name: 'redis', pid: 301 },
      { name: 'postgres' },
    ]);
    proc.add(300, { comm: 'npm', ppid: 1, cpuSec: 1 });
    proc.add(301, { comm: 'redis-server', ppid: 300, cpuSec: 1 });
    sampler.sample();
    second({ 300: 0.01, 301: 0.02 });
    const s = sampler.sample();
    expect(s.processes.map((p) => [p.name, p.group, p.cpuPct])).toEqual([
      ['sut', 'sut', 1],
      ['redis', 'redis', 2],
    ]);
    expect(sampler.notSampled()).toEqual(['postgres']);
  });

  it("samples this process alone (its children are the SUT's) and each of its threads, outside every group sum", () => {
    const { proc, sampler, second } = setup([SUT], { pid: 500, name: 'generator', threads: true });
    proc.add(500, {
      comm: 'node',
      ppid: 1,
      cpuSec: 10,
      rssMb: 90,
      threads: new Map([
        [500, { cpuSec: 8, startSec: 1 }],
        [501, { cpuSec: 2, startSec: 1 }],
      ]),
    });
    proc.add(100, { comm: 'node', ppid: 500, cpuSec: 5 });
    sampler.sample();
    second({ 500: 0.9, 100: 0.2 });
    const threads = proc.procs.get(500)!.threads!;
    threads.get(500)!.cpuSec += 0.8;
    threads.get(501)!.cpuSec += 0.1;
    threads.set(502, { cpuSec: 0.05, startSec: proc.uptime - 0.5 }); // a worker thread started this second
    const s = sampler.sample();
    expect(s.processes).toEqual([
      { name: 'sut-primary', group: 'sut', pid: 100, cpuPct: 20 },
      { name: 'generator', group: 'generator', pid: 500, cpuPct: 90, rssMb: 90 },
      { name: 'generator-main', group: 'generator', pid: 500, cpuPct: 80, thread: true },
      { name: 'generator-thread:501', group: 'generator', pid: 501, cpuPct: 10, thread: true },
      { name: 'generator-thread:502', group: 'generator', pid: 502, cpuPct: 5, thread: true },
    ]);
    expect(s.groups).toEqual({ sut: { cpuPct: 20 }, generator: { cpuPct: 90, rssMb: 90 } });
    expect(s.read).toEqual({ processes: 2, threads: 3 });
  });

  it("reads the machine's busy share of all cores between samples", () => {
    const { proc, sampler, second } = setup([]);
    proc.machine = { busy: 1000, idle: 9000 };
    expect(sampler.sample().machineCpuPct).toBeUndefined();
    second();
    proc.machine = { busy: 1150, idle: 9050 };
    expect(sampler.sample().machineCpuPct).toBe(75);
  });

  it('never reports a negative CPU figure while workers churn at random', () => {
    const { proc, sampler, second } = setup([SUT]);
    proc.add(100, { comm: 'node', ppid: 1, cpuSec: 5 });
    let nextPid = 101;
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const figures: number[] = [];
    for (let i = 0; i < 200; i++) {
      const workers = proc.children(100);
      if (workers.length < 4 || random() < 0.3) {
        // Some started before the previous sample with a past (unread) CPU time, some since then with a little.
        const bornSince = random() < 0.5;
        const startSec = proc.uptime + (bornSince ? 0.5 : -0.5);
        proc.add(nextPid++, { comm: 'node', ppid: 100, cpuSec: bornSince ? 0.2 : random() * 500, startSec });
      }
      if (workers.length > 0 && random() < 0.3) proc.procs.delete(workers[Math.floor(random() * workers.length)]!);
      const cpu: Record<number, number> = {};
      for (const pid of proc.children(100)) cpu[pid] = Math.round(random() * 100) / 100;
      second(cpu);
      const s = sampler.sample();
      figures.push(...s.processes.flatMap((p) => (p.cpuPct === undefined ? [] : [p.cpuPct])));
      if (s.groups.sut?.cpuPct !== undefined) figures.push(s.groups.sut.cpuPct);
    }
    expect(figures.length).toBeGreaterThan(400);
    expect(Math.min(...figures)).toBeGreaterThanOrEqual(0);
  });
});
