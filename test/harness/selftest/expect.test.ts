import { describe, expect, it } from 'vitest';
import {
  comparePercentiles,
  expectedQuantileMs,
  flagReasons,
  judgeCase,
  nearStallEdge,
  oracleOffReasons,
  PERCENTILE_Q,
  stallEdgeQ,
  toleranceMs,
  withinTolerance,
  type CaseFigures,
  type PercentileComparison,
  type PercentileName,
} from '../../../harness/selftest/expect.ts';
import { answerAtMs, type OracleTiming } from '../../../harness/selftest/oracle.ts';

const slowStalls = { serviceMs: 20, stallPeriodMs: 1000, stallMs: 200 };
const fixed2 = { serviceMs: 2 };
const fastStalls = { serviceMs: 2, stallPeriodMs: 500, stallMs: 50 };

/** Latency of evenly spaced arrivals over whole periods, from the oracle's own model, at quantile q (nearest rank). */
function bruteForceQuantileMs(timing: OracleTiming, q: number, stepMs: number, spanMs: number): number {
  const latencies: number[] = [];
  for (let at = stepMs / 2; at < spanMs; at += stepMs) latencies.push(answerAtMs(timing, at) - at);
  latencies.sort((a, b) => a - b);
  return latencies[Math.ceil(q * latencies.length) - 1]!;
}

describe('oracle ground truth', () => {
  it.each([
    [0.5, 20],
    [0.8, 20],
    [0.9, 120],
    [0.95, 170],
    [0.99, 210],
  ])('200 ms stalls every 1 s at 20 ms: q=%f → %f ms', (q, ms) => {
    expect(expectedQuantileMs(slowStalls, q)).toBeCloseTo(ms, 9);
  });

  it.each([0.5, 0.9, 0.95, 0.99, 0.999])('a fixed 2 ms service is 2 ms at q=%f', (q) => {
    expect(expectedQuantileMs(fixed2, q)).toBe(2);
  });

  it.each([
    ['p50', 2],
    ['p90', 2], // the edge: exactly 10% of arrivals stall
    ['p95', 27], // 2 + 50 − 0.05 × 500
    ['p99', 47], // 2 + 50 − 0.01 × 500
    ['p999', 51.5], // 2 + 50 − 0.001 × 500
  ] as const)('50 ms stalls every 500 ms at 2 ms: %s → %f ms', (name, ms) => {
    expect(expectedQuantileMs(fastStalls, PERCENTILE_Q[name])).toBeCloseTo(ms, 9);
  });

  it.each([0.5, 0.9, 0.91, 0.95, 0.99, 0.999])(
    'q=%f agrees with the oracle model itself over 10,000 evenly spaced arrivals per period',
    (q) => {
      // Arrivals every 0.05 ms over 4 periods: the nearest-rank quantile is within one step of the formula.
      expect(
        Math.abs(bruteForceQuantileMs(fastStalls, q, 0.05, 2000) - expectedQuantileMs(fastStalls, q)),
      ).toBeLessThan(0.05 + 1e-9);
      expect(Math.abs(bruteForceQuantileMs(slowStalls, q, 0.1, 4000) - expectedQuantileMs(slowStalls, q))).toBeLessThan(
        0.1 + 1e-9,
      );
    },
  );

  it.each([
    [0, 220],
    [150, 220],
    [199.5, 220],
    [200, 220],
    [700, 720],
    [1100, 1220],
  ])('200 ms stalls: arrival at %f ms is answered at %f ms', (arrival, answer) => {
    expect(answerAtMs(slowStalls, arrival)).toBe(answer);
  });

  it.each([
    [0, 52], // waits the whole stall, then 2 ms
    [20, 52],
    [49.5, 52],
    [50, 52], // the stall is over: served at once
    [50.25, 52.25],
    [499.75, 501.75],
    [500, 552], // the next stall
    [1234, 1236],
  ])('50 ms stalls every 500 ms: arrival at %f ms is answered at %f ms', (arrival, answer) => {
    expect(answerAtMs(fastStalls, arrival)).toBeCloseTo(answer, 9);
  });

  it('the stall edge is 1 − stall / period; percentiles within 0.01 of it are not comparable', () => {
    expect(stallEdgeQ(fastStalls)).toBeCloseTo(0.9, 12);
    expect(stallEdgeQ(fixed2)).toBeUndefined();
    expect(nearStallEdge(fastStalls, 0.9)).toBe(true);
    expect(nearStallEdge(fastStalls, 0.895)).toBe(true);
    expect(nearStallEdge(fastStalls, 0.95)).toBe(false);
    expect(nearStallEdge(fastStalls, 0.5)).toBe(false);
    expect(nearStallEdge(fixed2, 0.9)).toBe(false);
  });
});

describe('tolerance: 5% or 0.5 ms, whichever is larger', () => {
  it.each([
    [2, 0.5],
    [9.98, 0.5],
    [10, 0.5], // where the two meet
    [10.02, 0.501],
    [27, 1.35],
    [47, 2.35],
    [200, 10],
  ])('expected %f ms → ±%f ms', (expectedMs, tol) => {
    expect(toleranceMs(expectedMs)).toBeCloseTo(tol, 12);
  });

  it.each([
    [2, 2.5, true],
    [2, 2.501, false],
    [2, 1.5, true],
    [2, 1.499, false],
    [10, 10.5, true],
    [10, 10.501, false],
    [27, 28.35, true],
    [27, 28.351, false],
    [200, 210, true],
    [200, 189.999, false],
  ])('expected %f ms, measured %f ms → within: %s', (expectedMs, measuredMs, within) => {
    expect(withinTolerance(expectedMs, measuredMs)).toBe(within);
  });

  it('compares each percentile with its own tolerance and keeps the signed error', () => {
    const measured: Record<PercentileName, number> = { p50: 2.4, p90: 9, p95: 28.5, p99: 46, p999: 52 };
    const rows = comparePercentiles(fastStalls, measured, ['p50', 'p95', 'p99'], { ...measured, p95: 27.2 });
    expect(rows.map((x) => [x.percentile, x.expectedMs, x.oracleMs, x.errorMs, x.toleranceMs, x.passed])).toEqual([
      ['p50', 2, 2.4, expect.closeTo(0.4, 9), 0.5, true],
      ['p95', expect.closeTo(27, 9), 27.2, expect.closeTo(1.5, 9), expect.closeTo(1.35, 9), false],
      ['p99', expect.closeTo(47, 9), 46, expect.closeTo(-1, 9), expect.closeTo(2.35, 9), true],
    ]);
  });
});

describe('the oracle must keep its own time', () => {
  const row = (expectedMs: number, oracleMs: number | undefined): PercentileComparison => ({
    percentile: 'p99',
    expectedMs,
    ...(oracleMs === undefined ? {} : { oracleMs }),
    measuredMs: expectedMs,
    errorMs: 0,
    toleranceMs: toleranceMs(expectedMs),
    passed: true,
  });

  it.each([
    [2, 2.25, 0],
    [2, 2.251, 1],
    [47, 48.175, 0],
    [47, 48.176, 1],
    [47, 45.8, 1],
    [47, undefined, 0],
  ])('expected %f ms, oracle held %s ms → %i reasons', (expectedMs, oracleMs, n) => {
    expect(oracleOffReasons([row(expectedMs, oracleMs)])).toHaveLength(n);
  });
});

describe('a case verdict', () => {
  const ok = (expectedMs: number, measuredMs: number): PercentileComparison =>
    comparePercentiles({ serviceMs: expectedMs }, { p50: measuredMs, p90: 0, p95: 0, p99: 0, p999: 0 }, ['p50'])[0]!;
  const base: CaseFigures = { comparisons: [ok(2, 2.3)], sent: 1000, oracleCount: 1000, failed: 0, flagReasons: [] };
  const quiet = { sent: 1000, lateSends: 2, lateThresholdMs: 2, sendLagP99Ms: 0.4, latencyP99Ms: 2.4 };

  it.each<[string, CaseFigures, string, RegExp]>([
    ['every percentile within tolerance', base, 'passed', /within tolerance/],
    [
      'a percentile outside',
      { ...base, comparisons: [ok(2, 2.6)] },
      'failed',
      /p50 measured 2.600 ms vs 2.000 ± 0.500/,
    ],
    ['failed requests', { ...base, failed: 3 }, 'failed', /3 requests failed/],
    ['flagged and outside', { ...base, comparisons: [ok(2, 9)], flagReasons: ['late'] }, 'flagged', /^late$/],
    ['flagged though within: never a pass', { ...base, flagReasons: ['late', 'loop'] }, 'flagged', /^late; loop$/],
    ['counts differ, even when flagged', { ...base, oracleCount: 999, flagReasons: ['late'] }, 'failed', /999/],
  ])('%s → %s', (_name, figures, verdict, reason) => {
    const judged = judgeCase(figures);
    expect(judged.verdict).toBe(verdict);
    expect(judged.reason).toMatch(reason);
  });

  it.each<[string, Partial<Parameters<typeof flagReasons>[0]>, RegExp | undefined]>([
    ['a generator on time', {}, undefined],
    ['over 1% late sends', { lateSends: 11 }, /11 of 1000 sends \(1.1%\) left over 2 ms late/],
    ['send-lag p99 over 1 ms at a 2 ms service', { sendLagP99Ms: 1.2 }, /send-lag p99 1.2 ms > 1 ms/],
    ['send-lag p99 over 10% of a 50 ms p99', { sendLagP99Ms: 5.2, latencyP99Ms: 50 }, /send-lag p99 5.2 ms > 5 ms/],
    ['a stalled event loop', { eventLoopP99Ms: 60 }, /event-loop delay p99 60 ms > 50 ms/],
  ])('%s → flagged: %s', (_name, over, reason) => {
    const reasons = flagReasons({ ...quiet, busyCpuPct: 0, eventLoopP99Ms: 1, ...over }, base.comparisons);
    const judged = judgeCase({ ...base, flagReasons: reasons });
    if (reason === undefined) {
      expect(reasons).toEqual([]);
      expect(judged.verdict).toBe('passed');
    } else {
      expect(reasons.join('; ')).toMatch(reason);
      expect(judged.verdict).toBe('flagged');
    }
  });

  it('an oracle that held a compared percentile off its timing flags the case', () => {
    const late = comparePercentiles(fixed2, { p50: 2.3, p90: 2.4, p95: 2.4, p99: 2.45, p999: 3 }, ['p50', 'p99'], {
      p50: 2.1,
      p90: 2.2,
      p95: 2.2,
      p99: 2.4,
      p999: 2.9,
    });
    const judged = judgeCase({
      ...base,
      comparisons: late,
      flagReasons: flagReasons({ ...quiet, busyCpuPct: 0, eventLoopP99Ms: 1 }, late),
    });
    expect(judged).toEqual({
      verdict: 'flagged',
      reason: 'the oracle itself held p99 for 2.400 ms, not 2.000 ms (off by more than half the tolerance, 0.250 ms)',
    });
  });
});

describe("truth 'oracle record' (Poisson cases)", () => {
  const timing = { serviceMs: 2, stallPeriodMs: 500, stallMs: 50 };
  const held = { p50: 2.01, p90: 4.6, p95: 28.4, p99: 47.9, p999: 51.6 };
  const measured = { p50: 2.2, p90: 4.9, p95: 28.9, p99: 48.4, p999: 52, max: 53, mean: 6 };

  it('compares with what the oracle held in this run, not with the model, and is never "off" its own record', () => {
    const c = comparePercentiles(timing, measured, ['p90', 'p95', 'p99'], held, 'oracle record');
    expect(c.map((x) => [x.percentile, x.expectedMs, x.toleranceMs, x.passed])).toEqual([
      ['p90', 4.6, 0.5, true],
      ['p95', 28.4, 1.42, true],
      ['p99', 47.9, 2.395, true],
    ]);
    expect(oracleOffReasons(c)).toEqual([]);
    // against the model, the same run's p90 (4.9 ms for a modelled 2 ms) is out of tolerance
    expect(comparePercentiles(timing, measured, ['p90'], held)[0]!.passed).toBe(false);
  });

  it('fails a measurement off the record by more than the tolerance', () => {
    const c = comparePercentiles(timing, { ...measured, p95: 30 }, ['p95'], held, 'oracle record');
    expect(c[0]).toMatchObject({ expectedMs: 28.4, passed: false });
  });
});
