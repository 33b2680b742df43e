import { describe, expect, it } from 'vitest';
import { parseRssBytes, parseStat, sampleTree } from '../../../harness/monitor/proc.ts';

describe('/proc parsing', () => {
  it('reads ppid and CPU time past a command name with spaces and parentheses', () => {
    const stat =
      '4242 (node (worker) 1) S 4000 4242 4000 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 12345 1000000 5000';
    expect(parseStat(stat)).toEqual({ ppid: 4000, cpuSec: 3 });
  });

  it('reads VmRSS in bytes', () => {
    expect(parseRssBytes('Name:\tnode\nVmRSS:\t  123456 kB\nThreads: 11\n')).toBe(123456 * 1024);
  });

  it.runIf(process.platform === 'linux')('samples this process tree', () => {
    const sample = sampleTree([process.pid]);
    expect(sample?.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(sample?.cpuSec).toBeGreaterThan(0);
  });
});
