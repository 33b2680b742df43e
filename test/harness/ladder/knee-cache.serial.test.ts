// Knee: the rule on saved steps and the sweep against a server whose knee is known; cache: cold vs warm on the real SUT.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { main } from '../../../harness/cli.ts';
import { trackedCount } from '../../../harness/env/processes.ts';
import { findKnee, nextConnections, type KneeStep } from '../../../harness/ladder/knee.ts';
import { hitRatePct, parseCacheCounters } from '../../../harness/ladder/cache.ts';
import { validateRunJson } from '../../../harness/report/validate.ts';
import { memoryIO, startServer, type TestServer } from '../helpers.ts';
import { readRun, SMOKE } from './level-helpers.ts';

const step = (connections: number, throughputRps: number, gainPct: number | null): KneeStep => ({
  connections,
  throughputRps,
  p50Ms: 1,
  p99Ms: 2,
  gainPct,
});
const RULE = { maxConnections: 64, minGainPct: 10 };

describe('knee rule', () => {
  it('stops at the first doubling that gains < 10% and names the step before it', () => {
    const steps = [step(1, 100, null), step(2, 190, 90), step(4, 300, 57.9), step(8, 310, 3.3)];
    expect(nextConnections(steps, RULE)).toBeUndefined();
    expect(findKnee(steps, RULE)).toEqual({ knee: steps[2], stoppedRising: true });
  });

  it('doubles while throughput rises and says so when it never stopped', () => {
    const steps = [step(1, 100, null), step(2, 200, 100)];
    expect(nextConnections(steps, RULE)).toBe(4);
    expect(nextConnections([...steps, step(64, 9000, 50)], RULE)).toBeUndefined();
    expect(findKnee(steps, RULE)).toEqual({ knee: steps[1], stoppedRising: false });
  });
});

describe('cache counters', () => {
  it('sums hits and misses over label sets and turns two scrapes into a hit rate', () => {
    const text =
      '# HELP x\nloadlab_cache_hits_total{kind="user"} 30\nloadlab_cache_hits_total{kind="team"} 10\nloadlab_cache_misses_total 60\nloadlab_cache_hits_total_other 5\n';
    expect(parseCacheCounters(text)).toEqual({ hits: 40, misses: 60 });
    expect(hitRatePct({ hits: 40, misses: 60 }, { hits: 130, misses: 70 })).toBe(90);
    expect(hitRatePct({ hits: 1, misses: 1 }, { hits: 1, misses: 1 })).toBeNull();
  });
});

let server: TestServer | undefined;
let outDir: string;
beforeEach(() => {
  outDir = mkdtempSync(join(tmpdir(), 'loadlab-knee-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(outDir, { recursive: true, force: true });
});

describe('loadlab knee', () => {
  it('finds the knee of a server that serves 4 requests at a time at 4 connections', async () => {
    let busy = 0;
    const queue: Array<() => void> = [];
    server = await startServer((_req, res) => {
      const serve = () => {
        busy += 1;
        setTimeout(() => {
          res.end('ok');
          busy -= 1;
          queue.shift()?.();
        }, 20);
      };
      if (busy < 4) serve();
      else queue.push(serve);
    });
    const io = memoryIO();
    expect(
      await main(
        [
          'knee',
          '--target',
          server.url,
          '--path',
          '/',
          '--step-duration',
          '1s',
          '--warmup',
          '500ms',
          '--connections',
          '4',
          '--out',
          outDir,
        ],
        io,
      ),
      io.err(),
    ).toBe(0);
    const { run, kpi } = readRun(outDir);
    expect(validateRunJson(run)).toEqual([]);
    expect(run.checks[0], kpi).toMatchObject({ name: 'knee', passed: true, value: 4 });
    expect(run.phases.map((p: { name: string }) => p.name)).toEqual([
      'knee warm-up',
      'knee 1 conn',
      'knee 2 conn',
      'knee 4 conn',
      'knee 8 conn',
    ]);
    expect(kpi).toContain(
      'Knee rule: the knee is the last concurrency whose doubling still raised throughput by ≥ 10%',
    );
  }, 60_000);
});

describe('loadlab cache', () => {
  it('flushes every worker, runs cold then warm on a 2-worker SUT: hit rates, speed-ups, warm hits more, cold starts cold', async () => {
    const io = memoryIO();
    const argv = ['cache', ...SMOKE, '--workers', '2', '--database-url', inject('databaseUrl'), '--out', outDir];
    const code = await main(argv, io);
    const { run } = readRun(outDir);
    expect(validateRunJson(run)).toEqual([]);
    expect(run.phases.map((p: { name: string }) => p.name)).toEqual(['cache warm-up', 'cache cold', 'cache warm']);
    const rows = Object.fromEntries(run.kpi.rows.map((r: { metric: string; cells: object }) => [r.metric, r.cells]));
    expect(typeof rows['Cache hit rate (from /metrics)'].cold.value).toBe('number');
    expect(typeof rows['Cache hit rate (from /metrics)'].warm.value).toBe('number');
    expect(typeof rows['Throughput speed-up (warm ÷ cold)'].warm.value).toBe('number');
    expect(run.checks[0], io.err()).toMatchObject({ name: 'cache warm run hits more', passed: true });
    expect(run.checks[1], io.err()).toMatchObject({ name: 'cache cold run starts cold', passed: true });
    expect(run.checks[1].detail).toMatch(/; the flush emptied 2 of 2 worker\(s\)$/);
    expect(typeof rows['Cache hit rate, first 1 s'].cold.value).toBe('number');
    expect(code).toBe(0);
    expect(trackedCount()).toBe(0);
  }, 120_000);
});
