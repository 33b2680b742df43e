// The benches' pure judge: medians, ratios to bare, speed-ups, the probe rules and the honest-rate bisection,
// the default thread counts, the RSS summary, bench engine's goals.
import { describe, expect, it } from 'vitest';
import {
  defaultThreadCounts,
  highestHeldRps,
  highestOnScheduleRps,
  judgeEngine,
  judgeOpenProbe,
  judgeOverhead,
  judgeWorkers,
  judgeWrk2Probe,
  median,
  nextProbeRate,
  summarizeRss,
  wrk2ScheduledRps,
  type EngineFigures,
  type Probed,
} from '../../../harness/bench/judge.ts';

describe('median', () => {
  it.each([
    [[3], 3],
    [[5, 1, 3], 3],
    [[4, 1, 3, 2], 2.5],
  ])('%j → %d', (values, expected) => expect(median(values)).toBe(expected));

  it('is NaN without samples', () => expect(median([])).toBeNaN());
});

describe('judgeOverhead', () => {
  it('divides each median by the first target and judges only the targets with a goal', () => {
    const verdicts = judgeOverhead([
      { key: 'bare', samplesRps: [100, 300, 200] },
      { key: 'health', samplesRps: [180, 190, 10], goalRatio: 0.9 },
      { key: 'warm-read', samplesRps: [100], goalRatio: 0.6 },
    ]);
    expect(verdicts).toEqual([
      { key: 'bare', rps: 200, ratioToBare: 1 },
      { key: 'health', rps: 180, ratioToBare: 0.9, goalRatio: 0.9, passed: true },
      { key: 'warm-read', rps: 100, ratioToBare: 0.5, goalRatio: 0.6, passed: false },
    ]);
  });
});

describe('judgeWorkers', () => {
  it('gives the speed-up over the first size and the efficiency per worker', () => {
    expect(
      judgeWorkers([
        { workers: 1, rps: 1000 },
        { workers: 2, rps: 1500 },
      ]),
    ).toEqual([
      { workers: 1, rps: 1000, speedup: 1, efficiencyPct: 100 },
      { workers: 2, rps: 1500, speedup: 1.5, efficiencyPct: 75 },
    ]);
  });
});

describe('judgeOpenProbe', () => {
  const clean = {
    sent: 1000,
    completed: 1000,
    failed: 0,
    lateSends: 10,
    sendLagP99Ms: 0.2,
    p99Ms: 0.9,
    generatorSaturated: false,
  };
  // Closed p99 at low load 0.4 ms: the probe's p99 may be up to 0.9 ms.
  it.each([
    ['1% late, p99 at the limit', {}, []],
    ['one send more than 1% late', { lateSends: 11 }, ['late']],
    ['p99 0.001 ms over the limit', { p99Ms: 0.901 }, ['p99']],
    ['a failed request', { completed: 999, failed: 1 }, ['unanswered']],
    ['a request never answered', { completed: 999 }, ['unanswered']],
    ['flagged generatorSaturated', { generatorSaturated: true, saturationReason: 'busy' }, ['saturated']],
    ['late, slow and saturated', { lateSends: 50, p99Ms: 3, generatorSaturated: true }, ['late', 'p99', 'saturated']],
  ])('%s → misses %j', (_label, change, misses) => {
    const verdict = judgeOpenProbe(5000, { ...clean, ...change }, 0.4);
    expect(verdict.misses).toEqual(misses);
    expect(verdict.held).toBe(misses.length === 0);
    expect(verdict.p99LimitMs).toBe(0.9);
  });

  it('carries the figures and the saturation reason the words show', () => {
    const figures = { ...clean, lateSends: 20, generatorSaturated: true, saturationReason: 'send lag' };
    expect(judgeOpenProbe(5000, figures, 0.4)).toEqual({
      rateRps: 5000,
      lateShare: 0.02,
      sendLagP99Ms: 0.2,
      p99Ms: 0.9,
      p99LimitMs: 0.9,
      misses: ['late', 'saturated'],
      saturationReason: 'send lag',
      held: false,
    });
  });
});

describe('wrk2ScheduledRps', () => {
  it.each([
    // 50 connections start 0..245 ms late: 122.5 ms on average, 4.08% of a 3 s run.
    [10_000, 50, 3, 9591.667],
    [10_000, 1, 3, 10_000],
    [10_000, 10, 1, 9775],
    [10_000, 1000, 1, 0],
  ])('%d req/s over %d connections for %ds → %d', (rate, connections, durationSec, expected) =>
    expect(wrk2ScheduledRps(rate, connections, durationSec)).toBeCloseTo(expected, 3),
  );
});

describe('judgeWrk2Probe', () => {
  const run = { connections: 50, durationSec: 3 }; // schedules 95.9167% of the asked rate
  it.each([
    [
      '99% of what it schedules (9495.75), p99 at the limit',
      { achievedRps: 9496, p50Ms: 0.8, p99Ms: 0.9, errors: 0 },
      [],
    ],
    ['short of 99% of what it schedules', { achievedRps: 9495, p50Ms: 0.4, p99Ms: 0.5, errors: 0 }, ['rate']],
    ['p99 over the limit', { achievedRps: 9600, p50Ms: 0.8, p99Ms: 0.95, errors: 0 }, ['p99']],
    ['socket errors', { achievedRps: 9600, p50Ms: 0.4, p99Ms: 0.5, errors: 3 }, ['unanswered']],
  ])('%s → misses %j', (_label, figures, misses) => {
    const verdict = judgeWrk2Probe(10_000, figures, 0.4, run);
    expect(verdict.misses).toEqual(misses);
    expect(verdict.held).toBe(misses.length === 0);
    expect(verdict.scheduledRps).toBeCloseTo(9591.667, 3);
  });
});

describe('the honest-rate bisection', () => {
  /** Runs the search against a generator whose probes hold up to `limitRps`. */
  function search(limitRps: number, o?: { maxProbes: number; capRps: number }): { rates: number[]; maxRps: number } {
    const probes: Probed[] = [];
    for (let rate = nextProbeRate(probes, o); rate !== undefined; rate = nextProbeRate(probes, o))
      probes.push({ rateRps: rate, held: rate <= limitRps });
    return { rates: probes.map((p) => p.rateRps), maxRps: highestHeldRps(probes, o?.capRps) };
  }

  it('halves [0, 60,000] until the bracket is within 3% of its top, at most 8 probes', () => {
    expect(search(16_000)).toEqual({
      rates: [30000, 15000, 22500, 18750, 16875, 15938, 16407],
      maxRps: 15938,
    });
  });

  it('caps the search at 60,000 req/s', () => {
    expect(search(100_000)).toEqual({ rates: [30000, 45000, 52500, 56250, 58125, 59063], maxRps: 59063 });
  });

  it('stops once the bracket is within 100 req/s', () =>
    expect(search(1000, { maxProbes: 20, capRps: 1000 }).rates).toEqual([500, 750, 875, 938]));

  it('takes fewer probes when asked (--quick)', () =>
    expect(search(16_000, { maxProbes: 3, capRps: 60_000 })).toEqual({ rates: [30000, 15000, 22500], maxRps: 15000 }));

  it('reports 0 when no rate holds', () =>
    expect(search(0)).toEqual({ rates: [30000, 15000, 7500, 3750, 1875, 938, 469, 235], maxRps: 0 }));

  it('keeps the highest held and lowest failed rate whatever order the probes came in', () =>
    expect(
      highestHeldRps([
        { rateRps: 8000, held: true },
        { rateRps: 4000, held: true },
        { rateRps: 9000, held: false },
      ]),
    ).toBe(8000));
});

describe('highestOnScheduleRps', () => {
  it('takes the highest probe that missed nothing but the p99 limit', () =>
    expect(
      highestOnScheduleRps([
        { rateRps: 30_000, misses: ['late', 'p99', 'saturated'] },
        { rateRps: 15_000, misses: ['p99'] },
        { rateRps: 22_500, misses: ['p99', 'unanswered'] },
        { rateRps: 7_500, misses: [] },
        { rateRps: 20_000, misses: ['rate'] },
      ]),
    ).toBe(15_000));

  it('is 0 when every probe missed more', () =>
    expect(highestOnScheduleRps([{ rateRps: 300, misses: ['late'] }])).toBe(0));
});

describe('defaultThreadCounts', () => {
  it.each([
    [0, [1]],
    [1, [1]],
    [2, [1, 2]],
    [3, [1, 2, 3]],
    [7, [1, 2, 4, 7]],
    [8, [1, 2, 4, 8]],
  ])('a generator with %d cores to itself → %j', (cores, counts) => expect(defaultThreadCounts(cores)).toEqual(counts));
});

describe('summarizeRss', () => {
  it('takes the peak and the means of the first and last quarter', () => {
    expect(summarizeRss([100, 110, 120, 130, 140, 150, 160, 170])).toEqual({
      peakMb: 170,
      firstQuarterMb: 105,
      lastQuarterMb: 165,
    });
  });

  it('uses one sample per quarter when there are fewer than four', () => {
    expect(summarizeRss([100, 140])).toEqual({ peakMb: 140, firstQuarterMb: 100, lastQuarterMb: 140 });
  });
});

describe('judgeEngine', () => {
  const figures: EngineFigures = {
    closedRps: 900,
    autocannonCliRps: 1000,
    wrkRps: 1800,
    baseline: { p50Ms: 0.1, p99Ms: 0.3 },
    open: [
      { threads: 1, maxRps: 15_000, onScheduleRps: 22_500 },
      { threads: 2, maxRps: 20_000, onScheduleRps: 20_000 },
    ],
    wrk2MaxRps: 30_000,
    precision: { rateRps: 1000, sendLagP50Ms: 0.1, sendLagP99Ms: 0.6, p50Ms: 0.35, cpuPctMean: 20 },
    rss: { peakMb: 150, firstQuarterMb: 140, lastQuarterMb: 141, rateRps: 15_000, threads: 1 },
  };

  it('gives the ratios and judges every stated goal', () => {
    expect(judgeEngine(figures)).toEqual({
      closedToAutocannonCli: 0.9,
      closedToWrk: 0.5,
      openToWrk2: 0.5,
      p50DifferenceMs: 0.25,
      meets: {
        closedToAutocannonCli: false,
        rss: true,
        openOneThread: true,
        sendLagP50: true,
        sendLagP99: false,
        p50: false,
      },
    });
  });

  it('has no wrk or wrk2 ratio without them, and no one-thread goal when one thread was not searched', () => {
    const { wrkRps: _wrk, wrk2MaxRps: _wrk2, ...rest } = figures;
    const verdict = judgeEngine({
      ...rest,
      open: [{ threads: 2, maxRps: 20_000, onScheduleRps: 20_000 }],
      rss: { ...figures.rss, peakMb: 250 },
    });
    expect(verdict).not.toHaveProperty('closedToWrk');
    expect(verdict).not.toHaveProperty('openToWrk2');
    expect(verdict.meets).not.toHaveProperty('openOneThread');
    expect(verdict.meets.rss).toBe(false);
  });

  it('has no ratio to wrk2 when wrk2 held no rate', () =>
    expect(judgeEngine({ ...figures, wrk2MaxRps: 0 })).not.toHaveProperty('openToWrk2'));

  it('judges the p50 difference both ways', () => {
    const faster = { ...figures.precision, p50Ms: -0.1 };
    expect(judgeEngine({ ...figures, precision: faster }).meets.p50).toBe(true);
    expect(judgeEngine({ ...figures, precision: { ...faster, p50Ms: -0.11 } }).meets.p50).toBe(false);
  });
});
