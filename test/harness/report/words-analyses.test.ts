// report/words for the cache, stress and knee analyses: figures in → columns, checks, notes and method out.
import { describe, expect, it } from 'vitest';
import type { CacheFigures, KneeFigures, StressFigures } from '../../../harness/report/figures.ts';
import { wordAnalysis } from '../../../harness/report/words.ts';

describe('analyses in words', () => {
  const cache: CacheFigures = {
    kind: 'cache',
    deployment: '1 worker(s), cache on',
    workersGiven: false,
    runSec: 4,
    connections: 8,
    idRange: 10_000,
    missLatency: 'uniform:20-80',
    cold: { p50Ms: 41.2, throughputRps: 700.4, hitRatePct: 12.5 },
    warm: { p50Ms: 2.3, throughputRps: 9000.7, hitRatePct: 99.1 },
    p50SpeedUp: 17.91,
    rpsSpeedUp: 12.85,
    speedUpTarget: 1,
    verdict: { name: 'cache warm run hits more', passed: true, value: 99.1, target: 12.5 },
    coldStart: {
      windowSec: 1,
      reads: 160,
      hitRatePct: 0.63,
      boundPct: 3.5,
      workersFlushed: 1,
      flushComplete: true,
      workersStarted: 1,
      verdict: { name: 'cache cold run starts cold', passed: true, value: 0.63, target: 3.5 },
    },
  };

  it('cache: cold and warm columns, speed-ups on warm, the check and the method fragment', () => {
    const w = wordAnalysis(cache);
    expect(w.columns.map((c) => [c.key, c.title, c.extras?.map((e) => e.metric)])).toMatchInlineSnapshot(`
      [
        [
          "cold",
          "Cold",
          [
            "p50 latency (closed)",
            "Throughput",
            "Cache hit rate (from /metrics)",
            "Cache hit rate, first 1 s",
          ],
        ],
        [
          "warm",
          "Warm",
          [
            "p50 latency (closed)",
            "Throughput",
            "Cache hit rate (from /metrics)",
            "p50 speed-up (cold ÷ warm)",
            "Throughput speed-up (warm ÷ cold)",
          ],
        ],
      ]
    `);
    expect(w.checks).toMatchInlineSnapshot(`
      [
        {
          "detail": "hit rate cold 12.5% → warm 99.1%; p50 41.2 → 2.3 ms (17.91×); throughput 700 → 9001 req/s (12.85×)",
          "name": "cache warm run hits more",
          "passed": true,
          "target": "> 12.5",
          "value": 99.1,
        },
        {
          "detail": "first 1 s of the cold run: 0.63% hits of 160 reads (an empty cache shows ≤ 3.5% from that many reads of ids 1..10000); the flush emptied 1 of 1 worker(s)",
          "name": "cache cold run starts cold",
          "passed": true,
          "target": "≤ 3.5",
          "value": 0.63,
        },
      ]
    `);
    expect(w.columns[0]?.extras?.[3]).toEqual({
      metric: 'Cache hit rate, first 1 s',
      target: '≤ 3.5%',
      value: 0.63,
      unit: '%',
      status: 'pass',
    });
    expect(w.methodRun).toBe(
      'cache: 1 worker(s), cache on (one worker: each worker warms its own LRU); 4s cold + 4s warm closed runs, 8 connections',
    );
  });

  it('cache that started warm: the cold-start check fails and says why; an unsaid worker count is said so', () => {
    const coldStart = {
      ...cache.coldStart,
      hitRatePct: 48.2,
      workersFlushed: null,
      workersStarted: 2,
      verdict: { ...cache.coldStart.verdict, passed: false, value: 48.2 },
    };
    const w = wordAnalysis({ ...cache, coldStart });
    expect(w.checks[1]).toMatchObject({ name: 'cache cold run starts cold', passed: false, target: '≤ 3.5' });
    expect(w.checks[1]?.detail).toBe(
      'first 1 s of the cold run: 48.2% hits of 160 reads (an empty cache shows ≤ 3.5% from that many reads of ' +
        'ids 1..10000); the flush emptied the SUT did not say how many of 2 worker(s)',
    );
    expect(w.columns[0]?.extras?.[3]).toMatchObject({ value: 48.2, status: 'fail' });
    const late = wordAnalysis({ ...cache, coldStart: { ...coldStart, hitRatePct: null, flushComplete: false } });
    expect(late.checks[1]?.detail).toMatch(/no cache reads counted .*not every worker confirmed in time$/);
  });

  it('cache without hit rates: warnings and n/a in the detail, no target', () => {
    const f: CacheFigures = {
      ...cache,
      cold: { ...cache.cold, hitRatePct: null },
      p50SpeedUp: null,
      verdict: { ...cache.verdict, passed: false, target: null },
    };
    const w = wordAnalysis({ ...f, workersGiven: true });
    expect(w.columns[0]?.extras?.[2]).toEqual({
      metric: 'Cache hit rate (from /metrics)',
      target: 'info',
      value: null,
      unit: '%',
      status: 'warn',
    });
    expect(w.checks[0]).toMatchObject({
      target: null,
      detail: expect.stringMatching(/^hit rate cold n\/a% → warm 99.1%; p50 41.2 → 2.3 ms \(n\/a×\)/),
    });
    expect(w.methodRun).toBe('cache: 1 worker(s), cache on; 4s cold + 4s warm closed runs, 8 connections');
  });

  const stress: StressFigures = {
    kind: 'stress',
    deployment: '2 worker(s), cache on',
    probeSec: 2,
    cooldownSec: 1,
    capacitySec: 4,
    slo: { errorRatePct: 1, p99Ms: 100 },
    search: { startRps: 150, maxRps: 100_000, precision: 0.05, minRps: 1 },
    maxSustainableRps: 200,
    breakdownRps: 210,
    beyondCapacity: 'shed',
    probes: [
      {
        rateRps: 150,
        errorRatePct: 0,
        p99Ms: 30,
        achievedRps: 149.6,
        passed: true,
        generatorSaturated: false,
        overload: 'none',
      },
      {
        rateRps: 300,
        errorRatePct: 2.5,
        p99Ms: 900,
        achievedRps: 280.2,
        passed: false,
        generatorSaturated: true,
        overload: 'shed',
      },
    ],
    verdict: { name: 'stress', passed: true, value: 200, target: null },
  };

  it('stress: rows, the check with the SLO as its target, one note per probe, the method fragment', () => {
    const w = wordAnalysis(stress);
    expect(w.columns).toMatchInlineSnapshot(`
      [
        {
          "extras": [
            {
              "metric": "Max sustainable rate",
              "status": "pass",
              "target": "error rate ≤ 1%, p99 ≤ 100 ms",
              "unit": "req/s",
              "value": 200,
            },
            {
              "metric": "Breakdown rate",
              "status": "pass",
              "target": "lowest rate that misses the SLO",
              "unit": "req/s",
              "value": 210,
            },
            {
              "metric": "Probes",
              "status": "pass",
              "target": "bracket within 5%",
              "unit": "",
              "value": 2,
            },
          ],
          "key": "stress",
          "title": "Stress",
        },
      ]
    `);
    expect(w.checks).toMatchInlineSnapshot(`
      [
        {
          "detail": "highest rate meeting the SLO: 200 req/s; breakdown at 210 req/s (2 probes)",
          "name": "stress",
          "passed": true,
          "target": "error rate ≤ 1%, p99 ≤ 100 ms",
          "value": 200,
        },
      ]
    `);
    expect(w.notes).toMatchInlineSnapshot(`
      [
        "Stress SLO: error rate ≤ 1%, p99 ≤ 100 ms. Search: double from 150 req/s until a probe fails, then bisect until the bracket is within 5%.",
        "probe 1: 150 req/s (achieved 150) → error rate 0%, p99 30 ms: ✅ meets the SLO; overload: none (under 1% refused or failed, latency flat)",
        "probe 2: 300 req/s (achieved 280) → error rate 2.5%, p99 900 ms: ❌ misses the SLO (generator saturated); overload: shed (503 answers: the excess refused at once)",
        "Beyond capacity (at the breakdown rate, 210 req/s) the target shed: it refused the excess with 503 at once.",
      ]
    `);
    expect(w.methodRun).toBe(
      "stress: 2 worker(s), cache on, standard mix; 2s open-model probes, starting at half the 4s closed phase's throughput; 1s pause before each probe",
    );
  });

  it('stress with nothing sustainable, --path and --start-rate', () => {
    const f: StressFigures = {
      ...stress,
      path: '/x',
      capacitySec: null,
      maxSustainableRps: 0,
      verdict: { ...stress.verdict, passed: false, value: 0 },
    };
    const w = wordAnalysis(f);
    expect(w.checks[0]?.detail).toBe('no probed rate down to 1 req/s met the SLO');
    expect(w.columns[0]?.extras?.[0]).toMatchObject({ value: null, status: 'fail' });
    expect(w.methodRun).toBe('stress: 2 worker(s), cache on, GET /x; 2s open-model probes; 1s pause before each probe');
  });

  const step = (connections: number, throughputRps: number, gainPct: number | null) => ({
    connections,
    throughputRps,
    p50Ms: 1.5,
    p99Ms: 4.25,
    gainPct,
  });
  const knee: KneeFigures = {
    kind: 'knee',
    deployment: '--target http://x (not started by loadlab)',
    path: '/',
    stepSec: 1,
    rule: { maxConnections: 64, minGainPct: 10 },
    steps: [step(1, 100.4, null), step(2, 190, 89.2), step(4, 300, 57.9), step(8, 310, 3.3)],
    knee: step(4, 300, 57.9),
    stoppedRising: true,
    verdict: { name: 'knee', passed: true, value: 4, target: 10 },
  };

  it('knee: rows, the check, the rule and one note per step', () => {
    const w = wordAnalysis(knee);
    expect(w.columns).toMatchInlineSnapshot(`
      [
        {
          "extras": [
            {
              "metric": "Knee (connections)",
              "status": "pass",
              "target": "gain < 10% per doubling",
              "unit": "",
              "value": 4,
            },
            {
              "metric": "Throughput at the knee",
              "status": "pass",
              "target": "info",
              "unit": "req/s",
              "value": 300,
            },
            {
              "metric": "p99 at the knee",
              "status": "pass",
              "target": "info",
              "unit": "ms",
              "value": 4.25,
            },
          ],
          "key": "knee",
          "title": "Knee",
        },
      ]
    `);
    expect(w.checks).toMatchInlineSnapshot(`
      [
        {
          "detail": "knee at 4 connection(s): 300 req/s, p99 4.25 ms",
          "name": "knee",
          "passed": true,
          "target": "gain < 10%",
          "value": 4,
        },
      ]
    `);
    expect(w.notes).toMatchInlineSnapshot(`
      [
        "Knee rule: the knee is the last concurrency whose doubling still raised throughput by ≥ 10%; the sweep doubles from 1 connection and stops at the first doubling that gains less (or at 64).",
        "1 connection(s): 100 req/s, p50 1.5 ms, p99 4.25 ms",
        "2 connection(s): 190 req/s (+89.2%), p50 1.5 ms, p99 4.25 ms",
        "4 connection(s): 300 req/s (+57.9%), p50 1.5 ms, p99 4.25 ms",
        "8 connection(s): 310 req/s (+3.3%), p50 1.5 ms, p99 4.25 ms",
      ]
    `);
    expect(w.methodRun).toBe('knee: --target http://x (not started by loadlab), GET /; 1s closed phase per step');
  });

  it('knee still rising, and no step at all', () => {
    const rising = wordAnalysis({ ...knee, steps: knee.steps.slice(0, 2), knee: knee.steps[1]!, stoppedRising: false });
    expect(rising.notes.at(-1)).toBe('Throughput was still rising at 2 connections: the knee lies beyond the sweep.');
    expect(rising.checks[0]?.detail).toBe(
      'knee at 2 connection(s): 190 req/s, p99 4.25 ms (still rising at the end of the sweep)',
    );
    expect(rising.columns[0]?.extras?.[0]?.status).toBe('warn');
    const none = wordAnalysis({
      ...knee,
      steps: [],
      knee: null,
      stoppedRising: false,
      verdict: { ...knee.verdict, passed: false, value: null },
    });
    expect(none.checks[0]).toMatchObject({ passed: false, value: null, target: 'gain < 10%', detail: 'no step ran' });
  });
});
