// The benches in words: KPI rows, checks and kpi.md from the judge's numbers (pure).
import { describe, expect, it } from 'vitest';
import {
  describeEngine,
  describeOpenProbe,
  describeOverhead,
  describeWorkers,
  describeWrk2Probe,
  renderBenchMarkdown,
  type EngineWordsInput,
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
  const input: EngineWordsInput = {
    figures: {
      closedRps: 30_000,
      autocannonCliRps: 31_000,
      wrkRps: 64_000,
      baseline: { p50Ms: 0.07, p99Ms: 0.141 },
      open: [{ threads: 1, maxRps: 11_250, onScheduleRps: 15_000 }],
      wrk2MaxRps: 15_000,
      wrk2OnScheduleRps: 30_000,
      precision: { rateRps: 1000, sendLagP50Ms: 0.002, sendLagP99Ms: 0.61, p50Ms: 0.12, cpuPctMean: 23.45 },
      rss: { peakMb: 210.4, firstQuarterMb: 150, lastQuarterMb: 152, rateRps: 11_250, threads: 1 },
    },
    verdict: {
      closedToAutocannonCli: 0.9677,
      closedToWrk: 0.46875,
      openToWrk2: 0.75,
      p50DifferenceMs: 0.05,
      meets: {
        closedToAutocannonCli: true,
        rss: false,
        openOneThread: false,
        sendLagP50: true,
        sendLagP99: false,
        p50: true,
      },
    },
    goals: {
      closedToAutocannonCli: 0.95,
      rssPeakMb: 200,
      openOneThreadRps: 15_000,
      sendLagP50Ms: 0.1,
      sendLagP99Ms: 0.5,
      p50WithinMs: 0.2,
    },
    probeRule: { maxLateShare: 0.01, p99MarginMs: 0.5, minAchievedShare: 0.99 },
    openSearches: [
      {
        threads: 1,
        probes: [
          {
            rateRps: 15_000,
            lateShare: 0.0346,
            sendLagP99Ms: 84.095,
            p99Ms: 110.207,
            p99LimitMs: 0.641,
            misses: ['late', 'p99', 'saturated'],
            saturationReason: 'send-lag p99 84.095 ms > 11.021 ms',
            held: false,
          },
          {
            rateRps: 7500,
            lateShare: 0,
            sendLagP99Ms: 0.2,
            p99Ms: 0.6,
            p99LimitMs: 0.641,
            misses: [],
            held: true,
          },
        ],
      },
    ],
    wrk2Probes: [
      {
        rateRps: 15_000,
        achievedRps: 14_380,
        scheduledRps: 14_387.5,
        p50Ms: 0.4,
        p99Ms: 0.62,
        p99LimitMs: 0.641,
        misses: [],
        held: true,
      },
    ],
    target: 'nginx (1 worker)',
    pinning: { generatorCpus: [0], targetCpu: 1, cpus: 2 },
    threads: [1],
    connections: 50,
    warmupSec: 2,
    baselineSec: 2,
    durationSec: 5,
    precisionSec: 5,
    probeSec: 3,
    maxProbes: 8,
    settleSec: 1,
    capRps: 60_000,
    rssDurationSec: 120,
    loadAverage: { start: 6.93, end: 5.04 },
  };

  it('has a row per figure, the goals coloured, and no checks (the bench sets no exit code)', () => {
    const report = describeEngine(input);
    expect(report.checks).toEqual([]);
    expect(report.kpiRows.map((r) => [r.metric, r.target, r.cells.engine!.value, r.cells.engine!.status])).toEqual([
      ['Closed engine, 50 connections', 'info', 30_000, 'pass'],
      ['autocannon CLI, 50 connections', 'info', 31_000, 'pass'],
      ['wrk -t1, 50 connections', 'info', 64_000, 'pass'],
      ['Closed engine ÷ autocannon CLI', '≥ 0.95', 0.97, 'pass'],
      ['Closed engine ÷ wrk -t1', 'info', 0.47, 'pass'],
      ['Closed model, 1 connection, low load: p50', 'info', 0.07, 'pass'],
      ['Closed model, 1 connection, low load: p99', 'info', 0.141, 'pass'],
      ['Open engine, 1 thread: highest rate where a probe holds', '≥ 15000 req/s', 11_250, 'fail'],
      ['wrk2 -t1: highest rate where a probe holds', 'info', 15_000, 'pass'],
      ['Open engine, 1 thread: highest probe on schedule (p99 not judged)', 'info', 15_000, 'pass'],
      ['wrk2 -t1: highest probe on schedule (p99 not judged)', 'info', 30_000, 'pass'],
      ['Open engine (1 thread) ÷ wrk2', 'info', 0.75, 'pass'],
      ['Send lag p50 at 1000 req/s', '≤ 0.1 ms', 0.002, 'pass'],
      ['Send lag p99 at 1000 req/s', '≤ 0.5 ms', 0.61, 'fail'],
      ['Open p50 at 1000 req/s − closed p50 at 1 connection', 'within ±0.2 ms', 0.05, 'pass'],
      ['Generator CPU at 1000 req/s (% of one core)', 'info', 23.5, 'pass'],
      ['RSS peak over a 120s open run at 11250 req/s', '< 200 MB', 210, 'fail'],
      ['RSS, mean of the first quarter of that run', 'info', 150, 'pass'],
      ['RSS, mean of the last quarter (flat: close to the first)', 'info', 152, 'pass'],
    ]);
  });

  it("states the probe rule with this run's limit, then every probe", () => {
    const notes = describeEngine(input).notes;
    expect(notes[1]).toBe(
      'A probe holds when ≤ 1% of its sends are late, its p99 from the intended send is within 0.5 ms of the ' +
        'low-load closed p99 (≤ 0.641 ms here), every request is answered and the phase is not flagged ' +
        'generatorSaturated; a wrk2 probe when it achieves ≥ 99% of the rate it schedules (its 50 connections ' +
        'start 5 ms apart, each on its own schedule), with the same p99 limit and no errors. wrk2 waits for a due ' +
        "send on a millisecond timer, rounded up (wrk.c's delay_request), and counts latency from the intended send, " +
        'so each of its latencies carries up to about 1.5 ms of its own timer slack: on a sub-millisecond target its ' +
        'p50 sits near 1 ms, and a 0.5 ms margin may hold at no rate.',
    );
    expect(notes.slice(2)).toEqual([
      'open engine, 1 thread, 15000 req/s: 3.46% late, send-lag p99 84.095 ms, p99 110.207 ms (limit 0.641 ms) → ' +
        'does not hold: over 1% late; p99 over the limit; generator saturated (send-lag p99 84.095 ms > 11.021 ms)',
      'open engine, 1 thread, 7500 req/s: 0.00% late, send-lag p99 0.2 ms, p99 0.6 ms (limit 0.641 ms) → holds',
      'wrk2 -t1, 15000 req/s: achieved 14380 req/s (99.9% of the 14388 it schedules), p50 0.4 ms, p99 0.62 ms ' +
        '(limit 0.641 ms) → holds',
      '"highest probe on schedule (p99 not judged)": the highest rate among the probes above that missed nothing ' +
        "but the p99 limit, by each side's own rule — ours counts every send over 2 ms late and the saturation " +
        'flag, wrk2 only its achieved rate and errors, so the two are not alike; a lower bound, since the probes ' +
        'follow the full rule.',
    ]);
  });

  it('names the cores, threads, probe length and load average in the method line', () => {
    expect(describeEngine(input).method(ENVIRONMENT)).toBe(
      'target: nginx (1 worker); pinned with taskset: generator CPU 0, target CPU 1 (of 2); generator threads: 1 ' +
        '(searched; 1 for everything else); closed: 50 connections, 5s each after a 2s warm-up; low-load baseline: ' +
        'closed, 1 connection, 2s; open probes of 3s (uniform arrivals) after 1s idle, at most 8 per search from ' +
        "[0, 60000 req/s], ours and wrk2's (-t1 -c50) in turns; precision: 5s at 1000 req/s; RSS run: 120s; " +
        'load average 6.9 at start, 5.0 at end; one run; Node v20.0.0; Test CPU.',
    );
  });

  it('says wrk and wrk2 were not on PATH, with no rows or ratio for them', () => {
    const { wrkRps: _wrk, wrk2MaxRps: _wrk2, wrk2OnScheduleRps: _wrk2OnSchedule, ...figures } = input.figures;
    const { closedToWrk: _cw, openToWrk2: _ow, ...verdict } = input.verdict;
    const { wrk2Probes: _probes, ...rest } = input;
    const report = describeEngine({ ...rest, figures, verdict });
    expect(report.kpiRows.some((r) => /wrk/.test(r.metric))).toBe(false);
    expect(report.notes).toContain('wrk: not on PATH, skipped');
    expect(report.notes).toContain('wrk2: not on PATH, its comparison skipped');
    expect(report.notes[1]).not.toContain('wrk2');
    expect(report.method(ENVIRONMENT)).not.toContain('wrk2');
  });

  it("lists the generator's CPUs, or says the sides were not pinned", () => {
    const wide = describeEngine({ ...input, pinning: { generatorCpus: [0, 2, 3], targetCpu: 1, cpus: 4 } });
    expect(wide.method(ENVIRONMENT)).toContain('pinned with taskset: generator CPUs 0,2,3, target CPU 1 (of 4)');
    const shared = describeEngine({ ...input, pinning: { cpus: 1 } });
    expect(shared.method(ENVIRONMENT)).toContain('not pinned: generator and target share 1 core');
  });

  it('marks only one thread with the goal; other thread counts are information', () => {
    const open = [
      { threads: 1, maxRps: 16_000, onScheduleRps: 16_000 },
      { threads: 2, maxRps: 25_000, onScheduleRps: 30_000 },
    ];
    const meets = { ...input.verdict.meets, openOneThread: true };
    const report = describeEngine({
      ...input,
      figures: { ...input.figures, open },
      verdict: { ...input.verdict, meets },
    });
    const rows = report.kpiRows.filter((r) => /^Open engine, \d+ threads?: highest rate/.test(r.metric));
    expect(rows.map((r) => [r.metric, r.target, r.cells.engine!.status])).toEqual([
      ['Open engine, 1 thread: highest rate where a probe holds', '≥ 15000 req/s', 'pass'],
      ['Open engine, 2 threads: highest rate where a probe holds', 'info', 'pass'],
    ]);
  });

  it('says the ratio to wrk2 is not defined when wrk2 held no rate', () => {
    const figures = { ...input.figures, wrk2MaxRps: 0 };
    const { openToWrk2: _ratio, ...verdict } = input.verdict;
    const report = describeEngine({ ...input, figures, verdict });
    expect(report.kpiRows.some((r) => r.metric.includes('÷ wrk2'))).toBe(false);
    expect(report.notes).toContain('Open engine (1 thread) ÷ wrk2: not defined, wrk2 held no rate under the p99 rule');
  });

  it('says when no rate held and the RSS run fell back to the precision rate', () => {
    const open = [{ threads: 1, maxRps: 0, onScheduleRps: 0 }];
    const rss = { ...input.figures.rss, rateRps: 1000 };
    const notes = describeEngine({ ...input, figures: { ...input.figures, open, rss } }).notes;
    expect(notes).toContain('no rate held, so the RSS run went at 1000 req/s');
  });
});

describe('describeOpenProbe and describeWrk2Probe', () => {
  it.each([
    [
      { rateRps: 600, lateShare: 0, sendLagP99Ms: 0.0123, p99Ms: 0.3, p99LimitMs: 0.8, misses: [], held: true },
      'open engine, 2 threads, 600 req/s: 0.00% late, send-lag p99 0.012 ms, p99 0.3 ms (limit 0.8 ms) → holds',
    ],
    [
      {
        rateRps: 1200,
        lateShare: 0,
        sendLagP99Ms: 0.1,
        p99Ms: 0.7,
        p99LimitMs: 0.8,
        misses: ['unanswered' as const],
        held: false,
      },
      'open engine, 2 threads, 1200 req/s: 0.00% late, send-lag p99 0.1 ms, p99 0.7 ms (limit 0.8 ms) → ' +
        'does not hold: requests failed or unanswered',
    ],
  ])('%j', (probe, line) => expect(describeOpenProbe(2, probe)).toBe(line));

  it("gives wrk2's achieved rate as a share of what it schedules", () =>
    expect(
      describeWrk2Probe({
        rateRps: 7500,
        achievedRps: 27,
        scheduledRps: 6581,
        p50Ms: 0,
        p99Ms: 0,
        p99LimitMs: 0.641,
        misses: ['rate'],
        held: false,
      }),
    ).toBe(
      'wrk2 -t1, 7500 req/s: achieved 27 req/s (0.4% of the 6581 it schedules), p50 0 ms, p99 0 ms (limit 0.641 ms) → ' +
        'does not hold: rate not achieved',
    ));
});
