// The benches' pure judge: medians, ratios to bare, speed-ups, the open-rate bisection, the RSS summary.
import { describe, expect, it } from 'vitest';
import {
  highestHeldRps,
  judgeEngine,
  judgeOverhead,
  judgeProbe,
  judgeWorkers,
  median,
  nextProbeRate,
  summarizeRss,
  type ProbeVerdict,
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

describe('judgeProbe', () => {
  it.each([
    [{ sent: 1000, completed: 1000, failed: 0, lateSends: 10 }, true],
    [{ sent: 1000, completed: 1000, failed: 0, lateSends: 11 }, false],
    [{ sent: 1000, completed: 999, failed: 1, lateSends: 0 }, false],
    [{ sent: 1000, completed: 999, failed: 0, lateSends: 0 }, false],
  ])('%j → held %s', (counts, held) => expect(judgeProbe(500, counts).held).toBe(held));
});

describe('the open-rate bisection', () => {
  /** Runs the search against a generator that keeps its schedule up to `limitRps`. */
  function search(closedRps: number, limitRps: number): { rates: number[]; maxRps: number } {
    const probes: ProbeVerdict[] = [];
    for (let rate = nextProbeRate(closedRps, probes); rate !== undefined; rate = nextProbeRate(closedRps, probes)) {
      probes.push({ rateRps: rate, lateShare: rate <= limitRps ? 0 : 0.5, held: rate <= limitRps });
    }
    return { rates: probes.map((p) => p.rateRps), maxRps: highestHeldRps(closedRps, probes) };
  }

  it('halves the bracket from the closed rate, at most six probes', () => {
    expect(search(8000, 5000)).toEqual({ rates: [4000, 6000, 5000, 5500, 5250, 5125], maxRps: 5000 });
  });

  it('caps the search at 20,000 req/s', () => {
    expect(search(100_000, 100_000).rates).toEqual([10000, 15000, 17500, 18750, 19375, 19688]);
  });

  it('stops once the bracket is within 100 req/s (or 3%)', () => {
    expect(search(1000, 1000)).toEqual({ rates: [500, 750, 875, 938], maxRps: 938 });
  });

  it('reports 0 when no rate holds', () => expect(search(400, 0)).toEqual({ rates: [200, 100], maxRps: 0 }));
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
  it('gives the ratios and the two stated goals', () => {
    const rss = { peakMb: 150, firstQuarterMb: 140, lastQuarterMb: 141 };
    expect(judgeEngine({ closedRps: 900, autocannonCliRps: 1000, wrkRps: 1800, openMaxRps: 450, rss })).toEqual({
      closedToAutocannonCli: 0.9,
      closedToWrk: 0.5,
      openToClosed: 0.5,
      closedMeetsAutocannonGoal: false,
      rssWithinGoal: true,
    });
  });

  it('has no wrk ratio without wrk', () => {
    const rss = { peakMb: 250, firstQuarterMb: 140, lastQuarterMb: 141 };
    const verdict = judgeEngine({ closedRps: 1000, autocannonCliRps: 1000, openMaxRps: 500, rss });
    expect(verdict).not.toHaveProperty('closedToWrk');
    expect(verdict).toMatchObject({ closedMeetsAutocannonGoal: true, rssWithinGoal: false });
  });
});
