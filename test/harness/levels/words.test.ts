// report/words: figures in → the exact KPI rows, check details, notes and method fragments out.
import { describe, expect, it } from 'vitest';
import type {
  CacheFigures,
  ClusterFigures,
  KneeFigures,
  QueueFigures,
  ReloadDoneFigures,
  StressFigures,
} from '../../../harness/report/figures.ts';
import { deploymentNote, saturationWarnings, wordAnalysis, wordLevel } from '../../../harness/report/words.ts';
import { distributionDetail, distributionTarget } from '../../../harness/report/words/cluster.ts';
import { analysisInputs, ladderInputs, type FinishedLevel } from '../../../harness/report/ladder-report.ts';
import { judgeCluster } from '../../../harness/ladder/level4.ts';
import { checkDistribution } from '../../../harness/stats/distribution.ts';
import type { PhaseReport } from '../../../harness/report/model.ts';

const RELOAD: ReloadDoneFigures = {
  kind: 'reload',
  method: 'reload',
  requested: 2,
  done: 2,
  finishedAtMs: [3100, 7420],
  inPhase: 2,
  openDurationSec: 10,
  targetRps: 500,
  sent: 1000,
  failed: 7,
  inFlight: 3,
  lost: 10,
  unavailable: 5,
  availabilityPct: 99.2,
  resetRetries: 4,
  errorsByKind: { '404': 2, '503': 3, ECONNRESET: 2 },
  verdict: { name: 'level2 reload', passed: false, value: 10, target: 0 },
};

const QUEUE: QueueFigures = {
  kind: 'queue',
  enqueueRps: 1234.5,
  enqueueTargetRps: 1000,
  accepted: 1000,
  enqueueDurationSec: 4,
  failedEnqueues: 10,
  enqueueErrors: { '202': 1000, '503': 10 },
  processingRatePerSec: 250,
  drainedAfterSec: 3.46,
  maxDepth: 508,
  openSamples: 4,
  busySamples: 1,
  background: { jobs: 812, achievedRps: 203.4 },
};

describe('levels in words', () => {
  it('Level 0 has no judge and gets no words; only Level 3 adds to its deployment', () => {
    expect(wordLevel(undefined)).toEqual({ extras: [], checks: [], notes: [] });
    expect(deploymentNote(QUEUE)).toBe('TASK_CONCURRENCY per worker as configured');
    expect(deploymentNote(RELOAD)).toBeUndefined();
  });

  it('Level 1 without Level 0: a failing n/a row and the reason', () => {
    const w = wordLevel({
      kind: 'scaling',
      workers: 2,
      cores: 2,
      speedUp: null,
      efficiencyPct: null,
      speedUpTarget: 1,
      efficiencyTargetPct: 50,
    });
    expect(w.extras).toEqual([
      { metric: 'Speed-up vs Level 0', target: '> 1×', value: null, unit: '×', status: 'fail' },
    ]);
    expect(w.notes[0]).toBe('Level 1: no Level 0 run in this invocation, so no speed-up.');
    expect(w.notes[1]).toMatch(/^Level 1 ran 2 SUT worker\(s\) on 2 core\(s\) shared with the load generator/);
  });

  it('Level 1 with Level 0: speed-up and efficiency judged against their targets by the table', () => {
    const w = wordLevel({
      kind: 'scaling',
      workers: 4,
      cores: 2,
      speedUp: 1.78,
      efficiencyPct: 44.44,
      speedUpTarget: 1,
      efficiencyTargetPct: 50,
    });
    expect(w.extras).toEqual([
      { metric: 'Speed-up vs Level 0', target: { op: '>', value: 1, unit: '×' }, value: 1.78, unit: '×' },
      {
        metric: 'Scaling efficiency (speed-up ÷ workers)',
        target: { op: '>=', value: 50, unit: '%' },
        value: 44.44,
        unit: '%',
      },
    ]);
    expect(w.checks).toEqual([]);
  });

  it('Level 2: rows, the check with every failure named, the note', () => {
    const w = wordLevel(RELOAD);
    expect(w.extras).toEqual([
      { metric: 'Reload: failed requests', target: '= 0 (2 reloads)', value: 10, unit: '', status: 'fail' },
      {
        metric: 'Reload: availability over the phase',
        target: { op: '>=', value: 100, unit: '%' },
        value: 99.2,
        unit: '%',
        status: 'fail',
      },
    ]);
    expect(w.checks).toMatchInlineSnapshot(`
      [
        {
          "detail": "2/2 rolling reloads (SIGHUP) finished (at 3.1s, 7.4s; 2 inside the 10s open phase at 500 req/s); failed 7 (404×2 503×3 ECONNRESET×2), unanswered 3 of 1000; availability 99.200%; 4 resent once after a keep-alive reset (as a load balancer would)",
          "name": "level2 reload",
          "passed": false,
          "target": 0,
          "value": 10,
        },
      ]
    `);
    expect(w.notes).toMatchInlineSnapshot(`
      [
        "Level 2: its latency rows cover the whole open phase, the 2 reloads included (a new worker starting competes with the others for the cores).",
      ]
    `);
  });

  it('Level 2 under SIGKILL, with an error and no reset resends', () => {
    const f: ReloadDoneFigures = {
      ...RELOAD,
      method: 'kill',
      done: 1,
      finishedAtMs: [4000],
      inPhase: 1,
      resetRetries: 0,
      error: 'not replaced',
    };
    expect(wordLevel(f).checks[0]?.detail).toBe(
      '1/2 non-graceful restarts (SIGKILL of every worker) finished (at 4.0s; 1 inside the 10s open phase at 500 req/s); ' +
        'failed 7 (404×2 503×3 ECONNRESET×2), unanswered 3 of 1000; availability 99.200%; error: not replaced',
    );
    expect(wordLevel(f).notes[0]).toContain('the 1 restarts included');
  });

  it('Level 2 against --target: a warning row and a note, no check', () => {
    expect(wordLevel({ kind: 'reload', method: 'none', requested: 3 })).toEqual({
      extras: [{ metric: 'Reload: failed requests', target: '= 0 (3 reloads)', value: null, unit: '', status: 'warn' }],
      checks: [],
      notes: ['Level 2: --target deployment, so loadlab sent no SIGHUP: the reload check did not run.'],
    });
  });

  it('Level 3: rate and depth rows, the processing-rate note and the background client', () => {
    const w = wordLevel(QUEUE);
    expect(w.extras).toMatchInlineSnapshot(`
      [
        {
          "metric": "Enqueue rate (POST /api/tasks)",
          "target": {
            "op": ">=",
            "unit": "jobs/s",
            "value": 1000,
          },
          "unit": "jobs/s",
          "value": 1234.5,
        },
        {
          "metric": "Processing rate",
          "status": "pass",
          "target": "info",
          "unit": "jobs/s",
          "value": 250,
        },
        {
          "metric": "Queue depth, max",
          "status": "pass",
          "target": "info",
          "unit": "jobs",
          "value": 508,
        },
      ]
    `);
    expect(w.notes).toMatchInlineSnapshot(`
      [
        "Level 3: 1000 jobs enqueued in 4s; 10 enqueue requests failed ({"202":1000,"503":10}); processing rate = (jobs enqueued − growth of the backlog) ÷ time, from the enqueue phase's start until the backlog drained (3.5s); jobs were queued or running in 1 of the 4 one-second samples of the open phase, whose latency is the API's while jobs run; queue depth per second is in series.csv (queue_waiting, queue_active).",
        "Level 3: during the open phase a second open-model client enqueued 812 more jobs at 203/s (half the enqueue rate; not in the latency figures).",
      ]
    `);
  });

  it('Level 3 without samples: n/a rows are warnings, and an undrained backlog is said so', () => {
    const f: QueueFigures = {
      ...QUEUE,
      failedEnqueues: 0,
      processingRatePerSec: null,
      drainedAfterSec: null,
      maxDepth: null,
    };
    delete f.background;
    const w = wordLevel(f);
    expect(w.extras.map((e) => e.status)).toEqual([undefined, 'warn', 'warn']);
    expect(w.notes).toHaveLength(1);
    expect(w.notes[0]).toContain('1000 jobs enqueued in 4s; processing rate');
    expect(w.notes[0]).toContain('until the backlog was last sampled (it never drained)');
  });

  it('Level 4: distribution and efficiency rows, the check, the sample and efficiency notes', () => {
    const w = wordLevel(
      judgeCluster({ counts: { 'node-1': 560, 'node-2': 440 }, failed: 1, missingHeader: 2 }, 1800, 1000, undefined),
    );
    expect(w.extras).toMatchInlineSnapshot(`
      [
        {
          "metric": "Distribution: χ² p-value",
          "status": "fail",
          "target": "≥ 0.01",
          "unit": "",
          "value": 0.0001,
        },
        {
          "metric": "Distribution: largest share deviation",
          "status": "fail",
          "target": "≤ 10% of an equal share",
          "unit": "%",
          "value": 12,
        },
        {
          "metric": "Efficiency vs M × Level 2",
          "target": {
            "op": ">=",
            "unit": "%",
            "value": 70,
          },
          "unit": "%",
          "value": 90,
        },
      ]
    `);
    expect(w.checks).toMatchInlineSnapshot(`
      [
        {
          "detail": "node-1 560 (56%), node-2 440 (44%) of 1000; χ² 14.40 (df 1), p 1.5e-4 < 0.01: the split is not even; outside 50% ± 10%: node-1, node-2",
          "name": "level4 distribution",
          "passed": false,
          "target": "p ≥ 0.01; each node 50% ± 10% (relative)",
          "value": 0.000148,
        },
      ]
    `);
    expect(w.notes).toMatchInlineSnapshot(`
      [
        "Level 4: distribution from the x-node-id of 1000 GET /health requests (4 connections) sent through the balancer during the open phase; 1 failed, 2 without x-node-id: node-1 560 (56%), node-2 440 (44%) of 1000; χ² 14.40 (df 1), p 1.5e-4 < 0.01: the split is not even; outside 50% ± 10%: node-1, node-2.",
        "Level 4 efficiency = Level 4 throughput ÷ (2 nodes × Level 2 throughput 1000 req/s); the nodes share this machine's cores with the balancer, PostgreSQL and the generator.",
      ]
    `);
  });

  it('Level 4 without Level 2: the efficiency row is a warning and the note says why', () => {
    const f: ClusterFigures = judgeCluster(
      { counts: { a: 500, b: 500 }, failed: 0, missingHeader: 0 },
      1800,
      undefined,
      undefined,
    );
    const w = wordLevel(f);
    expect(w.extras[2]).toEqual({
      metric: 'Efficiency vs M × Level 2',
      target: { op: '>=', value: 70, unit: '%' },
      value: null,
      unit: '%',
      status: 'warn',
    });
    expect(w.notes[1]).toBe('Level 4: no Level 2 run in this invocation, so no efficiency.');
  });

  // The distribution check's own wording (stats/distribution.ts, used by the balancer tests) and the report's agree.
  it.each([
    [{ a: 500, b: 500 }, ['a', 'b']],
    [{ n2: 100, n1: 300 }, undefined],
    [{ a: 560, b: 440, c: 500 }, undefined],
    [{ a: 5000, b: 4000 }, undefined],
    [{ n1: 200 }, ['n1', 'n2']],
    [{ n1: 10 }, undefined],
    [{}, undefined],
  ])('distribution %j words like checkDistribution', (counts, expectedNodes) => {
    const f = judgeCluster({ counts, failed: 0, missingHeader: 0 }, 1, undefined, expectedNodes);
    const check = checkDistribution(counts, expectedNodes ? { expectedNodes } : {});
    expect(distributionDetail(f.distribution)).toBe(check.detail);
    expect(distributionTarget(f.distribution)).toBe(check.target);
  });
});

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
      ]
    `);
    expect(w.methodRun).toBe(
      'cache: 1 worker(s), cache on (one worker: each worker has its own cache); 4s cold + 4s warm closed runs, 8 connections',
    );
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
    probes: [
      { rateRps: 150, errorRatePct: 0, p99Ms: 30, achievedRps: 149.6, passed: true, generatorSaturated: false },
      { rateRps: 300, errorRatePct: 2.5, p99Ms: 900, achievedRps: 280.2, passed: false, generatorSaturated: true },
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
        "probe 1: 150 req/s (achieved 150) → error rate 0%, p99 30 ms: ✅ meets the SLO",
        "probe 2: 300 req/s (achieved 280) → error rate 2.5%, p99 900 ms: ❌ misses the SLO (generator saturated)",
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

describe('report inputs', () => {
  const phase = (name: string, saturated = false): PhaseReport =>
    ({
      name,
      durationSec: 4,
      generatorSaturated: saturated,
      generator: { saturationReason: 'send lag' },
    }) as PhaseReport;
  const level = (key: string, figures?: FinishedLevel['figures']): FinishedLevel => ({
    key,
    deployment: `${key} deployment`,
    ...(figures ? { figures } : {}),
    measured: {
      phases: [{ report: phase(`${key} throughput`) }, { report: phase(`${key} latency`, key === 'level0') }],
      core: { p50: 1, p95: 2, p99: 3, throughput: 1000, error_rate: 0, availability: 100 },
      open: phase(`${key} latency`),
      openRps: 512,
    },
  });

  it('the ladder: titled columns, the definitions note first, checks and notes in level order, methods', () => {
    const inputs = ladderInputs([level('level0'), level('level2', RELOAD), level('level3', QUEUE)]);
    expect(inputs.columns.map((c) => [c.key, c.title, c.extras?.length])).toEqual([
      ['level0', 'Level 0', 0],
      ['level2', 'Level 2', 2],
      ['level3', 'Level 3', 3],
    ]);
    expect(inputs.checks.map((c) => c.name)).toEqual(['level2 reload']);
    expect(inputs.notes[0]).toMatch(/^Latency percentiles come from the open phase/);
    expect(inputs.notes.slice(1).map((n) => n.slice(0, 8))).toEqual(['Level 2:', 'Level 3:', 'Level 3:']);
    expect(inputs.methodRuns).toEqual([
      'Level 0: level0 deployment; open phase 4s at 512 req/s',
      'Level 2: level2 deployment; open phase 4s at 512 req/s',
      'Level 3: level3 deployment, TASK_CONCURRENCY per worker as configured; open phase 4s at 512 req/s',
    ]);
    expect(inputs.phases.map((p) => p.name)).toEqual([
      'level0 throughput',
      'level0 latency',
      'level2 throughput',
      'level2 latency',
      'level3 throughput',
      'level3 latency',
    ]);
  });

  it('an analysis brings its own table columns', () => {
    const inputs = analysisInputs({ phases: [], figures: SMALL_CACHE });
    expect(inputs.tableColumns).toBe(inputs.columns);
    expect(inputs.columns.map((c) => c.key)).toEqual(['cold', 'warm']);
  });

  it('saturation warnings name the column and the phase', () => {
    expect(saturationWarnings('Level 0', [phase('level0 warm-up'), phase('level0 latency', true)])).toEqual([
      'Level 0, phase "level0 latency": the load generator was saturated (send lag); its figures measure the generator, not the SUT.',
    ]);
  });
});

const SMALL_CACHE: CacheFigures = {
  kind: 'cache',
  deployment: 'd',
  workersGiven: true,
  runSec: 1,
  connections: 1,
  idRange: 10,
  missLatency: 'none',
  cold: { p50Ms: 1, throughputRps: 1, hitRatePct: 0 },
  warm: { p50Ms: 1, throughputRps: 1, hitRatePct: 100 },
  p50SpeedUp: 1,
  rpsSpeedUp: 1,
  speedUpTarget: 1,
  verdict: { name: 'cache warm run hits more', passed: true, value: 100, target: 0 },
};
