import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createProcReader,
  machineCpuPct,
  parseMachineStat,
  parseRssBytes,
  parseStat,
} from '../../../harness/monitor/proc.ts';
import { statLine } from './fake-proc.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('/proc parsing', () => {
  it('reads state, ppid, CPU time and start time past a command name with spaces and parentheses', () => {
    const stat =
      '4242 (node (worker) 1) S 4000 4242 4000 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 12345 1000000 5000';
    expect(parseStat(stat)).toEqual({ comm: 'node (worker) 1', state: 'S', ppid: 4000, cpuSec: 3, startTicks: 12345 });
  });

  it.each([
    ['empty', ''],
    ['no command name', '4242 S 1 2 3'],
    ['cut short before the start time', '4242 (node) S 4000 4242 4000 0 -1 4194560 100 0 0 0 250 50'],
    ['not numbers', '4242 (node) S x 4242 4000 0 -1 4194560 100 0 0 0 a b 0 0 20 0 11 0 c'],
  ])('rejects a stat line that is %s', (_case, text) => {
    expect(parseStat(text)).toBeUndefined();
  });

  it('reads a zombie (it still carries its final CPU time)', () => {
    expect(parseStat(statLine(77, 'node', { state: 'Z', ppid: 1, cpuSec: 1.25, startSec: 900 }))).toEqual({
      comm: 'node',
      state: 'Z',
      ppid: 1,
      cpuSec: 1.25,
      startTicks: 90000,
    });
  });

  it('reads VmRSS in bytes; none for a process without it (a zombie, a kernel thread)', () => {
    expect(parseRssBytes('Name:\tnode\nVmRSS:\t  123456 kB\nThreads: 11\n')).toBe(123456 * 1024);
    expect(parseRssBytes('Name:\tnode\nState:\tZ (zombie)\n')).toBeUndefined();
  });

  it.each([
    // user nice system idle iowait irq softirq steal guest guest_nice
    ['all ten fields', 'cpu  100 20 30 400 50 6 4 10 7 3\ncpu0 1 2 3 4 5 6 7 8 9 10\n', { busy: 170, total: 620 }],
    ['an old kernel with four fields', 'cpu 10 0 5 85\n', { busy: 15, total: 100 }],
    ['the cpu line after others', 'intr 1\ncpu  1 1 1 1 1 1 1 1 0 0\n', { busy: 6, total: 8 }],
  ])('reads the machine CPU ticks from /proc/stat: %s', (_case, text, expected) => {
    expect(parseMachineStat(text)).toEqual(expected);
  });

  it('has no machine CPU without a cpu line', () => {
    expect(parseMachineStat('cpu0 1 2 3 4\n')).toBeUndefined();
    expect(parseMachineStat('')).toBeUndefined();
  });

  it('turns two readings into the busy share of all cores', () => {
    expect(machineCpuPct({ busy: 100, total: 1000 }, { busy: 250, total: 1200 })).toBe(75);
    expect(machineCpuPct({ busy: 100, total: 1000 }, { busy: 100, total: 1400 })).toBe(0);
    expect(machineCpuPct({ busy: 100, total: 1000 }, { busy: 100, total: 1000 })).toBeUndefined();
  });
});

describe('createProcReader', () => {
  it('reads stat, status, children, threads, /proc/stat and uptime from a /proc-shaped folder', () => {
    dir = mkdtempSync(join(tmpdir(), 'loadlab-proc-'));
    const put = (path: string, text: string) => {
      mkdirSync(join(dir!, path, '..'), { recursive: true });
      writeFileSync(join(dir!, path), text);
    };
    put('10/stat', statLine(10, 'node', { ppid: 1, cpuSec: 2, startSec: 5 }));
    put('10/status', 'VmRSS:\t2048 kB\n');
    put('10/task/10/children', '11 12 ');
    put('10/task/10/stat', statLine(10, 'node', { ppid: 1, cpuSec: 1.5, startSec: 5 }));
    put('10/task/13/stat', statLine(13, 'node', { ppid: 1, cpuSec: 0.5, startSec: 6 }));
    put('stat', 'cpu  1 2 3 4 5 6 7 8 9 10\n');
    put('uptime', '1234.56 999.00\n');
    const reader = createProcReader(dir);
    expect(parseStat(reader.stat(10)!)?.cpuSec).toBe(2);
    expect(parseRssBytes(reader.status(10)!)).toBe(2048 * 1024);
    expect(reader.children(10)).toEqual([11, 12]);
    expect(reader.threads(10).sort((a, b) => a - b)).toEqual([10, 13]);
    expect(parseStat(reader.threadStat(10, 13)!)?.cpuSec).toBe(0.5);
    expect(parseMachineStat(reader.machineStat()!)).toEqual({ busy: 27, total: 36 });
    expect(reader.uptimeSec()).toBe(1234.56);
    expect(reader.stat(99)).toBeUndefined();
    expect(reader.children(99)).toEqual([]);
  });

  it('finds children by scanning every stat when the kernel has no children file', () => {
    dir = mkdtempSync(join(tmpdir(), 'loadlab-proc-'));
    for (const [pid, ppid] of [
      [20, 1],
      [21, 20],
      [22, 20],
      [23, 21],
    ] as const) {
      mkdirSync(join(dir, String(pid)));
      writeFileSync(join(dir, String(pid), 'stat'), statLine(pid, 'node', { ppid, cpuSec: 0, startSec: 1 }));
    }
    const reader = createProcReader(dir);
    expect(reader.children(20).sort((a, b) => a - b)).toEqual([21, 22]);
    expect(reader.children(21)).toEqual([23]);
  });

  it.runIf(process.platform === 'linux')('reads this process and its main thread from the real /proc', () => {
    const reader = createProcReader();
    const self = parseStat(reader.stat(process.pid)!);
    expect(self?.ppid).toBe(process.ppid);
    expect(self?.cpuSec).toBeGreaterThan(0);
    expect(parseRssBytes(reader.status(process.pid)!)).toBeGreaterThan(1024 * 1024);
    expect(reader.threads(process.pid)).toContain(process.pid);
    expect(parseMachineStat(reader.machineStat()!)?.total).toBeGreaterThan(0);
    expect(reader.uptimeSec()).toBeGreaterThan(0);
  });
});
