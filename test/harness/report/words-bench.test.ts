// The benches in words: KPI rows, checks and kpi.md from the judge's numbers (pure).
import { describe, expect, it } from 'vitest';
import {
  describeEngine,
  describeOverhead,
  describeProbe,
  describeWorkers,
  renderBenchMarkdown,
} from '../../../harness/report/words/bench.ts';
import type { RunJson } from '../../../harness/report/model.ts';

const ENVIRONMENT = { node: 'v20.0.0', cpus: 2, cpuModel: 'Test CPU', os: 'Linux', gitCommit: null };

function runOf(kind: string, report: ReturnType<typeof describeOverhead>): RunJson {
  return {
    schemaVersion: 1,
    id: `2026-01-01T00-00-00Z-${kind}-0000`,
    kind,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:10.000Z',
    passed: report.checks.every((c) => c.passed),
    environment: ENVIRONMENT,
    config: {},
    phases: [],
    checks: report.checks,
    kpi: { rows: report.kpiRows },
  };
}

const OVERHEAD = describeOverhead({
  verdicts: [
    { key: 'bare', rps: 40_000, ratioToBare: 1 },
    { key: 'health', rps: 36_400, ratioToBare: 0.91, goalRatio: 0.9, passed: true },
    { key: 'warm-read', rps: 20_000, ratioToBare: 0.5, goalRatio: 0.6, passed: false },
  ],
  generator: 'wrk',
  connections: 50,
  rounds: 5,
  sliceSec: 3,
  warmIds: 1000,
  problems: ['warm-read, round 2: Socket errors: connect 0, read 1, write 0, timeout 0'],
});

describe('describeOverhead', () => {
  it('has one check per goal, naming the ratio and the goal', () => {
    expect(OVERHEAD.checks).toEqual([
      {
        name: 'overhead: SUT GET /health',
        passed: true,
        value: 0.91,
        target: 0.9,
        detail: '0.91 × bare node:http JSON (goal ≥ 0.90)',
      },
      {
        name: 'overhead: SUT GET /api/users/:id (warm, ids 1..1000)',
        passed: false,
        value: 0.5,
        target: 0.6,
        detail: '0.50 × bare node:http JSON (goal ≥ 0.60)',
      },
    ]);
  });

  it('renders kpi.md with the rates, the ratios, the checks and the method line', () => {
    expect(renderBenchMarkdown(runOf('bench-overhead', OVERHEAD), OVERHEAD)).toMatchInlineSnapshot(`
      "# loadlab bench-overhead 2026-01-01T00-00-00Z-bench-overhead-0000: FAILED

      | Metric | Target | req/s | ratio to bare |
      |---|---|---|---|
      | bare node:http JSON | baseline | ✅ 40K req/s | ✅ 1.00× |
      | SUT GET /health | ≥ 0.90 × bare | ✅ 36.4K req/s | ✅ 0.91× |
      | SUT GET /api/users/:id (warm, ids 1..1000) | ≥ 0.60 × bare | ✅ 20K req/s | ❌ 0.50× |

      ⚠️ = misses the target by at most 20% of the target (p99 < 500 ms: 500–600 ms is ⚠️), for availability by at most 20% of the unavailability it allows (> 99.9%: 99.88–99.9% is ⚠️); ❌ = misses it by more.
      wrk reported: warm-read, round 2: Socket errors: connect 0, read 1, write 0, timeout 0
      ✅ check overhead: SUT GET /health: 0.91 × bare node:http JSON (goal ≥ 0.90)
      ❌ check overhead: SUT GET /api/users/:id (warm, ids 1..1000): 0.50 × bare node:http JSON (goal ≥ 0.60)

      Method: wrk (1 thread), 50 connections, 5 interleaved rounds of 3s per target, median of each, one invocation; Node v20.0.0; Test CPU × 2 — generator and server share these 2 cores; SUT 1 process, cache warm.
      "
    `);
  });
});

describe('describeWorkers', () => {
  it('has a column per SUT size and no checks', () => {
    const report = describeWorkers({
      verdicts: [
        { workers: 1, rps: 10_000, speedup: 1, efficiencyPct: 100 },
        { workers: 2, rps: 15_000, speedup: 1.5, efficiencyPct: 75 },
      ],
      generator: 'autocannon',
      connections: 50,
      durationSec: 10,
      warmupSec: 3,
      warmIds: 1000,
      problems: [],
    });
    expect(report.checks).toEqual([]);
    expect(report.columns).toEqual([
      { key: 'workers-1', title: '1 worker' },
      { key: 'workers-2', title: '2 workers' },
    ]);
    expect(report.kpiRows.map((r) => [r.metric, r.cells['workers-2']!.value])).toEqual([
      ['Throughput, warm GET /api/users/:id', 15_000],
      ['Speed-up vs 1 worker', 1.5],
      ['Efficiency (speed-up ÷ workers)', 75],
    ]);
    expect(report.method(ENVIRONMENT)).toContain('autocannon, 50 connections');
  });
});

describe('describeEngine', () => {
  const input = {
    figures: {
      closedRps: 900,
      autocannonCliRps: 1000,
      openMaxRps: 450,
      rss: { peakMb: 210.4, firstQuarterMb: 150, lastQuarterMb: 152 },
    },
    verdict: { closedToAutocannonCli: 0.9, openToClosed: 0.5, closedMeetsAutocannonGoal: false, rssWithinGoal: false },
    goals: { closedToAutocannonCli: 0.95, rssPeakMb: 200 },
    probes: [{ rateRps: 450, lateShare: 0.004, held: true }],
    target: 'node:http',
    pinning: { cpus: 2 },
    connections: 50,
    durationSec: 5,
    rssDurationSec: 20,
  };

  it('colours the two goals, skips wrk when it was not there, and lists the probes', () => {
    const report = describeEngine(input);
    expect(report.checks).toEqual([]);
    const byMetric = Object.fromEntries(report.kpiRows.map((r) => [r.metric, r]));
    expect(byMetric['Closed engine ÷ autocannon CLI']).toEqual({
      metric: 'Closed engine ÷ autocannon CLI',
      target: '≥ 0.95',
      cells: { engine: { value: 0.9, unit: '×', status: 'fail' } },
    });
    expect(byMetric['RSS peak over a 20s max-rate run']!.cells.engine).toEqual({
      value: 210,
      unit: 'MB',
      status: 'fail',
    });
    expect(report.kpiRows.some((r) => r.metric.includes('wrk'))).toBe(false);
    expect(report.notes).toContain('wrk: not on PATH, skipped');
    expect(report.notes).toContain('open probe 450 req/s: 0.40% late → holds');
    expect(report.method(ENVIRONMENT)).toContain('generator and target share 2 cores');
  });

  it('says where each side was pinned', () => {
    const report = describeEngine({ ...input, pinning: { generatorCpu: 0, targetCpu: 1, cpus: 2 } });
    expect(report.method(ENVIRONMENT)).toContain('generator pinned to cpu 0, target to cpu 1 (of 2)');
  });
});

describe('describeProbe', () => {
  it.each([
    [{ rateRps: 1200, lateShare: 0.25, held: false }, 'open probe 1200 req/s: 25.00% late → does not hold'],
    [{ rateRps: 600, lateShare: 0, held: true }, 'open probe 600 req/s: 0.00% late → holds'],
  ])('%j', (probe, line) => expect(describeProbe(probe)).toBe(line));
});
