import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../lib/random.ts';
import { studentTCdf, studentTQuantile } from '../../../harness/stats/student-t.ts';
import {
  defaultTolerance,
  detectableChange,
  judgeMetrics,
  measureNoise,
  summarize,
  trialsNeeded,
  type MetricSamples,
  type NoiseFloor,
} from '../../../harness/stats/verdict.ts';

describe("Student's t", () => {
  it('matches published values of the CDF and quantiles', () => {
    expect(studentTCdf(0, 5)).toBeCloseTo(0.5, 12);
    expect(studentTCdf(2.015048, 5)).toBeCloseTo(0.95, 6);
    expect(studentTCdf(-2.228139, 10)).toBeCloseTo(0.025, 6);
    expect(studentTCdf(1.959964, 1e6)).toBeCloseTo(0.975, 5);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.776445, 5);
    expect(studentTQuantile(0.99, 17)).toBeCloseTo(2.566934, 5);
    expect(studentTQuantile(0.05, 8)).toBeCloseTo(-1.859548, 5);
  });
});

// The noise measured here (five bench:level0 --quick runs of one build: throughput CV 6.8%, p50 8.0%, p99 24.7%),
// as a noise floor of 10 trials (what `loadlab noise level0 --trials 10` gives compare).
const SPREAD = { throughput: 0.07, p50: 0.08, p95: 0.15, p99: 0.25 };
const FLOOR_DF = 9;

function gaussian(random: () => number): () => number {
  return () => {
    let u = 0;
    while (u === 0) u = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

/** One comparison's samples: each KPI lognormal around its median with the spread above; B's throughput × (1 − drop). */
function simulate(normal: () => number, trials: number, drop: number, floorDf = FLOOR_DF): MetricSamples[] {
  const draw = (median: number, sd: number, factor = 1) =>
    Array.from({ length: trials }, () => median * factor * Math.exp(sd * normal()));
  const kpi = (metric: string, median: number, sd: number, higher = false, factor = 1): MetricSamples => ({
    metric,
    unit: higher ? 'req/s' : 'ms',
    direction: higher ? 'higher-better' : 'lower-better',
    scale: 'log',
    a: draw(median, sd),
    b: draw(median, sd, factor),
    noise: { sd, df: floorDf },
    judged: true,
    weight: higher ? 2 : 1,
  });
  return [
    kpi('throughput', 1000, SPREAD.throughput, true, 1 - drop),
    kpi('p50', 3, SPREAD.p50),
    kpi('p95', 8, SPREAD.p95),
    kpi('p99', 20, SPREAD.p99),
    {
      metric: 'error_rate',
      unit: '%',
      direction: 'lower-better',
      scale: 'linear',
      a: Array<number>(trials).fill(0),
      b: Array<number>(trials).fill(0),
      noise: { sd: 0.05, df: floorDf },
      judged: true,
    },
  ];
}

describe('the verdict on simulated comparisons', () => {
  const SIMULATIONS = 400;
  /** The verdicts do not depend on the sides' bootstrap intervals: a few resamples keep 2,000 comparisons fast. */
  const FAST = { resamples: 10 };

  it('A/A: any `worse` in at most 5% of 400 comparisons (3, 5 and 10 trials a side)', () => {
    for (const trials of [3, 5, 10]) {
      const normal = gaussian(createRandom(1000 + trials));
      let anyWorse = 0;
      for (let i = 0; i < SIMULATIONS; i++)
        if (judgeMetrics(simulate(normal, trials, 0), FAST).some((v) => v.verdict === 'worse')) anyWorse++;
      expect(anyWorse / SIMULATIONS, `${trials} trials`).toBeLessThanOrEqual(0.05);
    }
  });

  it('a true 15% throughput drop is called `worse` in at least 90% of 400 comparisons with 5 trials a side', () => {
    const normal = gaussian(createRandom(7));
    let worse = 0;
    for (let i = 0; i < SIMULATIONS; i++)
      if (judgeMetrics(simulate(normal, 5, 0.15), FAST)[0]!.verdict === 'worse') worse++;
    expect(worse / SIMULATIONS).toBeGreaterThanOrEqual(0.9);
  });

  it('with too few trials a p99 change is `unknown`, and says which change the noise hides', () => {
    const normal = gaussian(createRandom(3));
    const verdicts = judgeMetrics(simulate(normal, 2, 0, 0));
    const p99 = verdicts.find((v) => v.metric === 'p99')!;
    expect(p99.verdict).toBe('unknown');
    expect(p99.reason).toMatch(/^collect more trials: the noise here hides changes under \d+(\.\d)?%$/);
    expect(p99.detectablePct).toBeGreaterThan(100);
  });

  it('one trial a side with no noise floor gives no interval: unknown', () => {
    const [v] = judgeMetrics([
      {
        metric: 'p50',
        unit: 'ms',
        direction: 'lower-better',
        scale: 'log',
        a: [3],
        b: [4],
        noise: { sd: 0, df: 0 },
        judged: true,
      },
    ]);
    expect(v).toMatchObject({ verdict: 'unknown', changeCi: null, changePct: 33.33 });
  });

  it('a KPI identical in every trial is `same` and leaves the family', () => {
    const verdicts = judgeMetrics(simulate(gaussian(createRandom(5)), 5, 0));
    expect(verdicts.find((v) => v.metric === 'error_rate')).toMatchObject({
      verdict: 'same',
      changePct: 0,
      pValue: 1,
      reason: 'identical in every trial (0 %)',
    });
  });

  it('`same` when the 90% interval lies within the tolerance; `better` for a large improvement', () => {
    const base = { unit: 'ms', direction: 'lower-better', scale: 'log', judged: true } as const;
    const noise: NoiseFloor = { sd: 0.02, df: 20 };
    const [same, better] = judgeMetrics([
      { ...base, metric: 'p50', a: [10, 10.1, 9.9, 10, 10.05], b: [10.02, 9.95, 10.1, 10, 9.98], noise, tolerance: 5 },
      { ...base, metric: 'p99', a: [20, 20.4, 19.8, 20.1, 20], b: [10, 10.2, 9.9, 10.1, 10], noise },
    ]);
    expect(same!.verdict).toBe('same');
    expect(better!.verdict).toBe('better');
    expect(better!.changePct).toBeCloseTo(-50, 0);
    expect(better!.changeCi![1]).toBeLessThan(-45);
  });

  it('a significant change within the tolerance is not `worse`', () => {
    const [v] = judgeMetrics([
      {
        metric: 'p50',
        unit: 'ms',
        direction: 'lower-better',
        scale: 'log',
        a: [10, 10, 10.01, 9.99, 10],
        b: [10.3, 10.3, 10.31, 10.29, 10.3],
        noise: { sd: 0.001, df: 20 },
        judged: true,
        tolerance: 5,
      },
    ]);
    expect(v!.pValue).toBeLessThan(0.001);
    expect(v!.verdict).toBe('same');
  });
});

describe('noise floor helpers', () => {
  it('measures the spread of ln values and derives the default tolerance (at least 2%)', () => {
    const floor = measureNoise('log', [100, 110, 90, 105, 95]);
    expect(floor.df).toBe(4);
    expect(floor.sd).toBeCloseTo(0.0793, 3);
    expect(defaultTolerance('log', floor)).toBe(8.3);
    expect(defaultTolerance('log', { sd: 0.001, df: 4 })).toBe(2);
    expect(defaultTolerance('linear', { sd: 0.2, df: 4 })).toBe(0.2);
  });

  it('more trials detect smaller changes, and the trials a tolerance needs are enough to detect it', () => {
    const floor = { sd: 0.07, df: 9 };
    const three = detectableChange('log', floor, 3, 0.0167);
    const ten = detectableChange('log', floor, 10, 0.0167);
    expect(three).toBeGreaterThan(ten);
    const n = trialsNeeded('log', floor, 10, 0.0167)!;
    expect(detectableChange('log', floor, n, 0.0167)).toBeLessThanOrEqual(10);
    expect(detectableChange('log', floor, n - 1, 0.0167)).toBeGreaterThan(10);
  });

  it('summarizes a side by its median and a bootstrap interval inside the range of its values', () => {
    const s = summarize([5, 1, 3, 2, 4], 1);
    expect(s).toMatchObject({ median: 3, n: 5 });
    expect(s.ciLow).toBeGreaterThanOrEqual(1);
    expect(s.ciHigh).toBeLessThanOrEqual(5);
    expect(summarize([7])).toEqual({ median: 7, ciLow: 7, ciHigh: 7, n: 1 });
  });
});
