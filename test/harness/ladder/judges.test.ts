// The ladder's pure judges: saved phase reports in → typed figures and verdicts out (no words: see words.test.ts).
import { describe, expect, it } from 'vitest';
import { judgeScaling } from '../../../harness/ladder/level1.ts';
import { judgeReload, type ReloadOutcome } from '../../../harness/ladder/level2.ts';
import { judgeQueue } from '../../../harness/ladder/level3.ts';
import { judgeCluster } from '../../../harness/ladder/level4.ts';
import { coldHitBoundPct, judgeCache, judgeColdStart, parseFlushAnswer } from '../../../harness/ladder/cache.ts';
import { judgeProbe, judgeStress } from '../../../harness/ladder/stress.ts';
import { judgeKnee } from '../../../harness/ladder/knee.ts';
import type { PhaseReport, SeriesRow } from '../../../harness/report/model.ts';
import { LatencyHistogram, mergeHistograms, round3 } from '../../../harness/engine/histogram.ts';
import type { QueueDepth } from '../../../harness/ladder/queue.ts';

type Requests = PhaseReport['requests'];

/** A phase report with only what the judges read filled in meaningfully. */
function report(over: Partial<PhaseReport> = {}, requests: Partial<Requests> = {}): PhaseReport {
  const latencyMs = { p50: 4, p90: 8, p95: 10, p99: 20, p999: 30, max: 40, mean: 5 };
  return {
    name: 'phase',
    model: 'open',
    targetRps: 500,
    durationSec: 10,
    elapsedSec: 10,
    judged: true,
    throughputRps: 500,
    generatorSaturated: false,
    generator: { cpuPctMean: 10, cpuPctMax: 20, eventLoopP99Ms: 2 },
    latencyMs,
    endpoints: [],
    ...over,
    requests: {
      sent: 1000,
      completed: 1000,
      failed: 0,
      inFlight: 0,
      byStatus: { '200': 1000 },
      byError: {},
      ...requests,
    },
  };
}

describe('judgeScaling (Level 1)', () => {
  it.each([
    ['no Level 0', 1000, undefined, 2, { speedUp: null, efficiencyPct: null }],
    ['linear', 2000, 1000, 2, { speedUp: 2, efficiencyPct: 100 }],
    ['sub-linear, rounded to 2 decimals', 1777.7, 1000, 4, { speedUp: 1.78, efficiencyPct: 44.44 }],
    ['slower', 900, 1000, 2, { speedUp: 0.9, efficiencyPct: 45 }],
  ])('%s', (_name, rps, level0Rps, workers, expected) => {
    expect(judgeScaling(rps, level0Rps, workers, 2)).toEqual({
      kind: 'scaling',
      workers,
      cores: 2,
      speedUpTarget: 1,
      efficiencyTargetPct: 50,
      ...expected,
    });
  });
});

describe('judgeReload (Level 2)', () => {
  const reload = (finishedAtMs: number[], over: Partial<ReloadOutcome> = {}): ReloadOutcome => ({
    kind: 'reload',
    requested: 2,
    done: finishedAtMs.length,
    startedAtMs: finishedAtMs.map((ms) => ms - 1000),
    finishedAtMs,
    ...over,
  });
  const clean = report({ resetRetries: 3 });
  const lossy = report(
    {},
    {
      completed: 990,
      failed: 7,
      inFlight: 3,
      byStatus: { '200': 990, '404': 2, '503': 3 },
      byError: { ECONNRESET: 2 },
    },
  );

  it.each([
    ['both inside, nothing lost: passes', clean, reload([3000, 7000]), { passed: true, inPhase: 2, lost: 0 }],
    ['one after the phase: fails', clean, reload([5000, 11_000]), { passed: false, inPhase: 1, lost: 0 }],
    ['one not done: fails', clean, reload([3000]), { passed: false, inPhase: 1, lost: 0 }],
    ['an error: fails', clean, reload([3000, 7000], { error: 'boom' }), { passed: false, inPhase: 2, lost: 0 }],
    ['lost requests: fails', lossy, reload([3000, 7000]), { passed: false, inPhase: 2, lost: 10 }],
  ])('%s', (_name, open, outcome, expected) => {
    const f = judgeReload(open, outcome, 2);
    expect(f).toMatchObject({ kind: 'reload', method: 'reload', inPhase: expected.inPhase, lost: expected.lost });
    expect(f.method !== 'none' && f.verdict).toEqual({
      name: 'level2 reload',
      passed: expected.passed,
      value: expected.lost,
      target: 0,
    });
  });

  it('counts what the server failed to serve, and keeps failures by status ≥ 400 then by error', () => {
    expect(judgeReload(lossy, reload([3000, 7000], { kind: 'kill' }), 2)).toEqual({
      kind: 'reload',
      method: 'kill',
      requested: 2,
      done: 2,
      finishedAtMs: [3000, 7000],
      startedAtMs: [2000, 6000],
      // no per-second windows given: nothing to judge inside or outside, so the p99 check cannot pass
      p99DuringReloadsMs: null,
      p99OutsideReloadsMs: null,
      reloadWindowSec: 0,
      p99DuringTargetMs: 500,
      duringVerdict: { name: 'level2 p99 during reloads', passed: false, value: null, target: 500 },
      inPhase: 2,
      openDurationSec: 10,
      targetRps: 500,
      sent: 1000,
      failed: 7,
      inFlight: 3,
      lost: 10,
      unavailable: 5,
      availabilityPct: 99.2,
      resetRetries: 0,
      errorsByKind: { '404': 2, '503': 3, ECONNRESET: 2 },
      verdict: { name: 'level2 reload', passed: false, value: 10, target: 0 },
    });
  });

  it('p99 during reloads: the seconds from each SIGHUP to 1 s after it finished, merged exactly; the rest outside', () => {
    // 10 one-second windows: seconds 2–4 and 7–8 are inside (reloads 2.5–3.2 s and 7.0–7.4 s, each + 1 s)
    const rows = Array.from({ length: 10 }, (_, sec) => {
      const h = new LatencyHistogram();
      const slow = [2, 3, 4, 7, 8].includes(sec);
      for (let i = 0; i < 100; i++) h.recordMs(slow ? 100 + sec * 10 + i : 5 + i / 100);
      return {
        second: sec,
        phase: 'level2 latency',
        window: { responses: 100, errors: 0, p50Ms: 0, p99Ms: 0, histogram: h.encode() },
      } as SeriesRow;
    });
    const judged = judgeReload(clean, reload([3200, 7400], { startedAtMs: [2500, 7000] }), 2, rows);
    const inside = mergeHistograms([2, 3, 4, 7, 8].map((sec) => LatencyHistogram.decode(rows[sec]!.window.histogram!)));
    expect(judged).toMatchObject({
      startedAtMs: [2500, 7000],
      reloadWindowSec: 5,
      p99DuringReloadsMs: round3(inside.percentileMs(99)),
      p99OutsideReloadsMs: round3(
        mergeHistograms(
          [0, 1, 5, 6, 9].map((sec) => LatencyHistogram.decode(rows[sec]!.window.histogram!)),
        ).percentileMs(99),
      ),
      duringVerdict: { name: 'level2 p99 during reloads', passed: true, target: 500 },
    });
    expect(judged.kind === 'reload' && judged.method !== 'none' && judged.p99DuringReloadsMs).toBeGreaterThan(100);
    expect(judged.kind === 'reload' && judged.method !== 'none' && judged.p99OutsideReloadsMs).toBeLessThan(6);
  });

  it('p99 during reloads cannot pass when a reload did not finish (a SUT that died answers nothing slowly)', () => {
    const rows = Array.from({ length: 4 }, (_, sec) => {
      const h = new LatencyHistogram();
      h.recordMs(5);
      return {
        second: sec,
        phase: 'level2 latency',
        window: { responses: 1, errors: 0, p50Ms: 5, p99Ms: 5, histogram: h.encode() },
      } as SeriesRow;
    });
    const judged = judgeReload(clean, reload([], { startedAtMs: [1000] }), 2, rows);
    expect(judged).toMatchObject({ done: 0, duringVerdict: { passed: false } });
    expect(judged.kind === 'reload' && judged.method !== 'none' && judged.duringVerdict.value).toBeLessThan(6); // fast
  });

  it('without an outcome (--target) says the check did not run', () => {
    expect(judgeReload(clean, undefined, 2)).toEqual({ kind: 'reload', method: 'none', requested: 2 });
  });
});

describe('judgeQueue (Level 3)', () => {
  const depth = (atMs: number, waiting: number, active = 0): QueueDepth => ({
    atMs,
    waiting,
    active,
    delayed: 0,
    failed: 0,
  });
  const samples = [depth(0, 0), depth(1000, 300, 8), depth(2000, 500, 8), depth(3000, 100, 8), depth(4000, 0)];
  const open = (startMs: number) => [depth(startMs + 500, 0), depth(startMs + 1500, 4), depth(startMs + 2500, 0)];
  const enq = report(
    { throughputRps: 250, durationSec: 4 },
    { sent: 1010, completed: 1000, failed: 10, byStatus: { '202': 1000, '503': 10 } },
  );

  it('rates, depth and the busy share of the open phase', () => {
    const run = {
      samples: [...samples, ...open(5000)],
      enqueueStartMs: 0,
      openStartMs: 5000,
      background: { jobs: 10, achievedRps: 5 },
    };
    expect(judgeQueue(enq, report({ durationSec: 4 }), run)).toEqual({
      kind: 'queue',
      enqueueRps: 250,
      enqueueTargetRps: 1000,
      accepted: 1000,
      enqueueDurationSec: 4,
      failedEnqueues: 10,
      enqueueErrors: { '202': 1000, '503': 10 },
      processingRatePerSec: 250,
      drainedAfterSec: 4,
      maxDepth: 508,
      openSamples: 3,
      busySamples: 1,
      background: { jobs: 10, achievedRps: 5 },
    });
  });

  it.each([
    ['no sample at all', [], { processingRatePerSec: null, drainedAfterSec: null, maxDepth: null, openSamples: 0 }],
    ['never drained', samples.slice(0, 3), { processingRatePerSec: 246, drainedAfterSec: null, maxDepth: 508 }],
  ])('%s', (_name, some, expected) => {
    const f = judgeQueue(enq, report({ durationSec: 4 }), { samples: some, enqueueStartMs: 0, openStartMs: 5000 });
    expect(f).toMatchObject(expected);
    expect(f).not.toHaveProperty('background');
  });
});

describe('judgeCluster (Level 4)', () => {
  type Counts = Record<string, number>;
  /** A measured phase as the engine tallies it: every response counted once, `missing` of them without x-node-id. */
  const phase = (name: string, counts: Counts, missing: number) => {
    const answered = Object.values(counts).reduce((a, b) => a + b, 0) + missing;
    return { name, requests: { completed: answered, failed: 0 }, tally: { header: 'x-node-id', counts, missing } };
  };
  const measured = (throughput: Counts, latency: Counts, missing = [0, 0]) => [
    phase('level4 throughput', throughput, missing[0]!),
    phase('level4 latency', latency, missing[1]!),
  ];

  it.each([
    ['an even split passes', { a: 300, b: 300 }, { a: 200, b: 200 }, [0, 0], true, true, 0],
    [
      'even in sum though each phase leans (phases are summed)',
      { a: 330, b: 270 },
      { a: 170, b: 230 },
      [0, 0],
      true,
      true,
      0,
    ],
    ['3:1 fails both halves', { a: 450, b: 150 }, { a: 300, b: 100 }, [0, 0], false, false, 50],
    ['55:45 is within ±10% but χ² says uneven', { a: 330, b: 270 }, { a: 220, b: 180 }, [0, 0], false, false, 10],
    ['a node that never answered counts as 0', { a: 600 }, { a: 400 }, [0, 0], false, false, 100],
    [
      'an even split with responses lacking x-node-id fails',
      { a: 300, b: 300 },
      { a: 200, b: 199 },
      [0, 1],
      false,
      true,
      0.1,
    ],
  ])('%s', (_name, throughput, latency, missing, passed, even, maxDeviationPct) => {
    const f = judgeCluster(measured(throughput, latency, missing), 1800, 1000, ['a', 'b']);
    expect(f).toMatchObject({ nodes: 2, maxDeviationPct, efficiencyPct: 90, level2Rps: 1000 });
    expect(f.distribution.even).toBe(even);
    expect(f.distribution.missing).toBe(missing[0]! + missing[1]!);
    expect(f.verdict).toMatchObject({ name: 'level4 distribution', passed, target: 0.01 });
  });

  it('sums the phases: per-node counts sorted by node, each phase kept, no efficiency without Level 2', () => {
    const f = judgeCluster(measured({ b: 300, a: 300 }, { a: 200, b: 200 }, [2, 3]), 1800, undefined, undefined);
    expect(f.phases).toEqual([
      { name: 'level4 throughput', responses: 602, counted: 600, missing: 2 },
      { name: 'level4 latency', responses: 403, counted: 400, missing: 3 },
    ]);
    expect(f.distribution).toMatchObject({
      perNode: [
        { node: 'a', count: 500 },
        { node: 'b', count: 500 },
      ],
      total: 1000,
      missing: 5,
      header: 'x-node-id',
    });
    expect(f).toMatchObject({ level2Rps: null, efficiencyPct: null, efficiencyTargetPct: 70 });
  });

  it('fails when a measured phase has no tally (the engine did not count the header)', () => {
    const [throughput, latency] = measured({ a: 300, b: 300 }, { a: 200, b: 200 });
    const f = judgeCluster([throughput!, { ...latency!, tally: undefined }], 1800, 1000, ['a', 'b']);
    expect(f.phases[1]).toEqual({ name: 'level4 latency', responses: 400, counted: null, missing: 0 });
    expect(f.distribution).toMatchObject({ total: 600, even: true });
    expect(f.verdict.passed).toBe(false);
  });
});

describe('judgeCache, judgeStress, judgeKnee', () => {
  const cacheRun = (p50: number, throughputRps: number, hitRatePct: number | null) => ({
    report: report({ throughputRps, latencyMs: { p50, p90: 1, p95: 1, p99: 1, p999: 1, max: 1, mean: 1 } }),
    hitRatePct,
  });
  const setup = { deployment: 'd', workersGiven: false, runSec: 4, connections: 8 };
  const coldStartInput = {
    windowSec: 1,
    before: { hits: 0, misses: 0 },
    flush: { workersFlushed: 2, complete: true },
    workersStarted: 2,
  };

  it.each([
    // 160 reads of 10,000 ids repeat about 1.3 ids by chance: the bound is that + 3 sd + 1 read.
    [160, 3.52],
    // 2,000 reads repeat about 187 ids.
    [2_000, 11.46],
    // More reads than ids: most are repeats, an empty cache soon hits.
    [20_000, 58.37],
    [0, null],
  ])('cold start: an empty cache over %i reads of ids 1..10000 hits at most %s%%', (reads, boundPct) => {
    expect(coldHitBoundPct(reads, 10_000)).toBe(boundPct);
  });

  it.each([
    ['cold on every worker', { hits: 2, misses: 158 }, coldStartInput.flush, 2, true],
    ['one worker stayed warm', { hits: 80, misses: 80 }, coldStartInput.flush, 2, false],
    ['a worker did not confirm the flush', { hits: 0, misses: 160 }, { workersFlushed: 1, complete: false }, 2, false],
    ['fewer workers flushed than started', { hits: 0, misses: 160 }, { workersFlushed: 1, complete: true }, 2, false],
    [
      '--target: the worker count is unknown',
      { hits: 0, misses: 160 },
      { workersFlushed: 1, complete: true },
      null,
      true,
    ],
    ['a SUT that does not say', { hits: 0, misses: 160 }, { workersFlushed: null, complete: null }, 2, true],
    ['no reads in the window', { hits: 0, misses: 0 }, coldStartInput.flush, 2, false],
  ])('cold start: %s', (_name, after, flush, workersStarted, passed) => {
    const f = judgeColdStart({ ...coldStartInput, after, flush, workersStarted });
    expect(f.verdict).toEqual({ name: 'cache cold run starts cold', passed, value: f.hitRatePct, target: f.boundPct });
    expect(f).toMatchObject({ reads: after.hits + after.misses, workersFlushed: flush.workersFlushed, workersStarted });
  });

  it('cold start: a failed first-second scrape is no reads, and fails', () => {
    const f = judgeColdStart({ ...coldStartInput, after: null });
    expect(f).toMatchObject({ reads: 0, hitRatePct: null, boundPct: null, verdict: { passed: false } });
  });

  it('reads the flush answer, and what an older SUT leaves out', () => {
    expect(parseFlushAnswer({ flushed: 9, cache: 'on', workersFlushed: 2, complete: true })).toEqual({
      workersFlushed: 2,
      complete: true,
    });
    expect(parseFlushAnswer({ flushed: 9, cache: 'on' })).toEqual({ workersFlushed: null, complete: null });
    expect(parseFlushAnswer(undefined)).toEqual({ workersFlushed: null, complete: null });
  });

  it.each([
    ['warm hits more', cacheRun(40, 700, 12.5), cacheRun(2, 9000, 99.1), true, 20, 12.86],
    ['no hit rate', cacheRun(40, 700, null), cacheRun(2, 9000, 99.1), false, 20, 12.86],
    ['zero divisors', cacheRun(40, 0, 50), cacheRun(0, 9000, 40), false, null, null],
  ])('cache: %s', (_name, cold, warm, passed, p50SpeedUp, rpsSpeedUp) => {
    const coldStart = judgeColdStart({ ...coldStartInput, after: { hits: 1, misses: 159 } });
    const f = judgeCache(cold, warm, setup, coldStart);
    expect(f).toMatchObject({ kind: 'cache', p50SpeedUp, rpsSpeedUp, speedUpTarget: 1, idRange: 10_000, ...setup });
    expect(f.coldStart).toBe(coldStart);
    expect(f.verdict).toEqual({
      name: 'cache warm run hits more',
      passed,
      value: warm.hitRatePct,
      target: cold.hitRatePct,
    });
  });

  it.each([
    ['a sustainable rate', 200, true],
    ['none', 0, false],
  ])('stress: %s', (_name, maxSustainableRps, passed) => {
    const result = { maxSustainableRps, breakdownRps: 210, probes: [] };
    const search = { startRps: 100, maxRps: 1000, precision: 0.05, minRps: 1 };
    const stressSetup = { deployment: 'd', probeSec: 2, cooldownSec: 1, capacitySec: null };
    const f = judgeStress(result, { errorRatePct: 1, p99Ms: 500 }, search, stressSetup);
    expect(f).toMatchObject({ kind: 'stress', maxSustainableRps, breakdownRps: 210, search, ...stressSetup });
    expect(f.verdict).toEqual({ name: 'stress', passed, value: maxSustainableRps, target: null });
    expect(f.beyondCapacity).toBeNull(); // no probe at the breakdown rate in this result
  });

  it.each([
    ['shed', { '200': 800, '503': 200 }, {}, 'shed'],
    ['limited', { '200': 700, '429': 300 }, {}, 'limited'],
    ['failed', { '200': 900 }, { timeout: 100 }, 'failed'],
    ['within capacity', { '200': 1000 }, {}, 'none'],
  ] as const)(
    'stress: a probe that %s says so, and the breakdown probe names the behaviour beyond capacity',
    (_name, byStatus, byError, behaviour) => {
      const completed = Object.values(byStatus).reduce((a: number, b: number) => a + b, 0);
      const failing = report({ targetRps: 210 }, { byStatus, byError, completed, failed: 1000 - completed });
      const probe = judgeProbe(failing, { errorRatePct: 1, p99Ms: 500 });
      expect(probe.overload).toBe(behaviour);
      expect(judgeProbe(report({ overload: 'queued' }), { errorRatePct: 1, p99Ms: 500 }).overload).toBe('queued');
      const search = { startRps: 100, maxRps: 1000, precision: 0.05, minRps: 1 };
      const setup = { deployment: 'd', probeSec: 2, cooldownSec: 1, capacitySec: null };
      const passing = judgeProbe(report({ targetRps: 100 }), { errorRatePct: 1, p99Ms: 500 });
      const result = { maxSustainableRps: 100, breakdownRps: 210, probes: [passing, probe] };
      expect(judgeStress(result, { errorRatePct: 1, p99Ms: 500 }, search, setup).beyondCapacity).toBe(behaviour);
    },
  );

  it.each([
    ['a knee', [1, 2, 4, 8], [null, 90, 58, 3], 4, true],
    ['still rising', [1, 2], [null, 100], 2, false],
    ['no step', [], [], null, false],
  ])('knee: %s', (_name, connections, gains, kneeAt, stoppedRising) => {
    const steps = connections.map((c, i) => ({
      connections: c,
      throughputRps: c * 100,
      p50Ms: 1,
      p99Ms: 2,
      gainPct: gains[i] ?? null,
    }));
    const f = judgeKnee(steps, { maxConnections: 64, minGainPct: 10 }, { deployment: 'd', stepSec: 1 });
    expect(f).toMatchObject({ kind: 'knee', stoppedRising, steps });
    expect(f.knee?.connections ?? null).toBe(kneeAt);
    expect(f.verdict).toEqual({ name: 'knee', passed: kneeAt !== null, value: kneeAt, target: 10 });
  });
});
