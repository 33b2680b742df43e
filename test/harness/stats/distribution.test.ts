// The Level 4 distribution check: chi-square p-values against published table values, and the
// verdict on even, skewed, noisy and incomplete splits.
import { describe, expect, it } from 'vitest';
import { chiSquarePValue, logGamma, regularizedGammaQ } from '../../../harness/stats/chi-square.ts';
import { checkDistribution, checkTallies } from '../../../harness/stats/distribution.ts';
import type { HeaderTally } from '../../../harness/report/model.ts';

describe('chiSquarePValue', () => {
  // Critical values from the standard chi-square table (NIST/SEMATECH e-Handbook, 1.3.6.7.4).
  it.each([
    { x: 3.841458820694124, df: 1, p: 0.05 },
    { x: 6.634896601021214, df: 1, p: 0.01 },
    { x: 10.827566170662733, df: 1, p: 0.001 },
    { x: 5.991464547107979, df: 2, p: 0.05 },
    { x: 9.487729036781154, df: 4, p: 0.05 },
    { x: 11.070497693516351, df: 5, p: 0.05 },
    { x: 23.209251158954356, df: 10, p: 0.01 },
    { x: 43.77297182574219, df: 30, p: 0.05 },
    { x: 0.015790774093431218, df: 1, p: 0.9 },
  ])('χ²=$x with df=$df has p=$p', ({ x, df, p }) => {
    expect(chiSquarePValue(x, df)).toBeCloseTo(p, 10);
  });

  it.each([1, 2, 3, 7.5])('with df=2 the tail is exactly e^(-x/2) (x=%s)', (x) => {
    expect(chiSquarePValue(x, 2)).toBeCloseTo(Math.exp(-x / 2), 12);
  });

  it('is 1 at 0, falls monotonically, and stays a probability far out in the tail', () => {
    expect(chiSquarePValue(0, 3)).toBe(1);
    const ps = [0.5, 1, 2, 4, 8, 16, 100].map((x) => chiSquarePValue(x, 3));
    for (let i = 1; i < ps.length; i++) expect(ps[i]!).toBeLessThan(ps[i - 1]!);
    expect(chiSquarePValue(100, 1)).toBeGreaterThan(0);
    expect(chiSquarePValue(100, 1)).toBeCloseTo(1.5239706048320995e-23, 30);
  });

  it('uses a correct Γ: logΓ(n) = log((n-1)!) and Q(1, x) = e^-x', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(regularizedGammaQ(1, 3)).toBeCloseTo(Math.exp(-3), 12);
  });

  it('rejects a degree of freedom ≤ 0', () => {
    expect(() => chiSquarePValue(1, 0)).toThrow(RangeError);
  });
});

describe('checkDistribution', () => {
  it.each<{ name: string; counts: Record<string, number>; passed: boolean }>([
    { name: 'equal counts', counts: { n1: 200, n2: 200 }, passed: true },
    { name: 'equal counts over four nodes', counts: { a: 250, b: 250, c: 250, d: 250 }, passed: true },
    { name: 'a 3:1 split (the weighted negative control)', counts: { n1: 300, n2: 100 }, passed: false },
    { name: 'a small 3:1 split', counts: { n1: 30, n2: 10 }, passed: false },
    { name: 'sampling noise on 1000 requests over three nodes', counts: { a: 345, b: 331, c: 324 }, passed: true },
    { name: 'noise right at the ±10% bound (55/45)', counts: { a: 55, b: 45 }, passed: true },
    { name: 'one node silent', counts: { n1: 400, n2: 0 }, passed: false },
  ])('$name → passed=$passed', ({ counts, passed }) => {
    expect(checkDistribution(counts).passed).toBe(passed);
  });

  it('on a small sample, noise passes the chi-square test but not the share bound', () => {
    const check = checkDistribution({ a: 12, b: 8 });
    expect(check.pValue).toBeGreaterThan(0.3); // χ² = 0.8: not evidence of an uneven balancer
    expect(check.shares).toEqual({ a: 0.6, b: 0.4 });
    expect(check.passed).toBe(false);
    expect(check.detail).toContain('outside 50% ± 10%: a, b');
  });

  it('reports the statistic, p-value, shares and a readable detail', () => {
    const check = checkDistribution({ n2: 100, n1: 300 });
    expect(check).toMatchObject({
      name: 'distribution',
      passed: false,
      chiSquare: 100,
      shares: { n1: 0.75, n2: 0.25 },
    });
    expect(check.value).toBe(check.pValue);
    expect(check.pValue).toBeLessThan(1e-20);
    expect(check.target).toBe('p ≥ 0.01; each node 50% ± 10% (relative)');
    expect(check.detail).toBe(
      'n1 300 (75%), n2 100 (25%) of 400; χ² 100.00 (df 1), p 1.5e-23 < 0.01: the split is not even; outside 50% ± 10%: n1, n2',
    );
  });

  it('honours alpha and tolerance', () => {
    const counts = { a: 540, b: 460 }; // χ² 6.4, p ≈ 0.0114; shares 54/46
    expect(checkDistribution(counts).passed).toBe(true);
    expect(checkDistribution(counts, { alpha: 0.05 }).passed).toBe(false);
    expect(checkDistribution(counts, { tolerance: 0.05 }).passed).toBe(false);
  });

  it('counts an expected node that never answered as 0, and fails with no data or one node', () => {
    const missing = checkDistribution({ n1: 200 }, { expectedNodes: ['n1', 'n2'] });
    expect(missing.passed).toBe(false);
    expect(missing.shares).toEqual({ n1: 1, n2: 0 });
    expect(checkDistribution({}).detail).toBe('no responses carried x-node-id');
    expect(checkDistribution({ n1: 10 })).toMatchObject({ passed: false, detail: 'only one node answered (n1)' });
  });
});

describe('responses without the header', () => {
  it.each<{ missing: number; counts: Record<string, number>; detail: string }>([
    {
      missing: 1,
      counts: { n1: 200, n2: 200 },
      detail: 'n1 200 (50%), n2 200 (50%) of 400; χ² 0.00 (df 1), p 1.000; 1 response carried no x-node-id',
    },
    { missing: 5, counts: { n1: 10 }, detail: 'only one node answered (n1); 5 responses carried no x-node-id' },
    { missing: 7, counts: {}, detail: '7 responses carried no x-node-id' },
  ])('$missing without x-node-id fail the check, and the detail says how many', ({ missing, counts, detail }) => {
    const check = checkDistribution(counts, { missing });
    expect(check).toMatchObject({ passed: false, missing, header: 'x-node-id', detail });
  });

  it('are not counted in the test itself: the same counts give the same p with or without them', () => {
    const without = checkDistribution({ a: 520, b: 480 });
    const withMissing = checkDistribution({ a: 520, b: 480 }, { missing: 40 });
    expect(withMissing).toMatchObject({ total: 1000, pValue: without.pValue, outside: [] });
    expect(without.passed).toBe(true);
    expect(withMissing.passed).toBe(false);
  });
});

describe('checkTallies: the phases of a run summed into one check', () => {
  const tally = (counts: Record<string, number>, missing = 0): HeaderTally => ({
    header: 'x-node-id',
    counts,
    missing,
  });

  it.each<{ name: string; tallies: HeaderTally[]; passed: boolean; total: number; missing: number }>([
    {
      name: 'an even split over two phases',
      tallies: [tally({ n1: 3000, n2: 3000 }), tally({ n1: 1500, n2: 1500 })],
      passed: true,
      total: 9000,
      missing: 0,
    },
    {
      name: 'an even split, one node per phase',
      tallies: [tally({ n1: 500 }), tally({ n2: 500 })],
      passed: true,
      total: 1000,
      missing: 0,
    },
    {
      name: 'a node missing from both phases',
      tallies: [tally({ n1: 3000 }), tally({ n1: 1500 })],
      passed: false,
      total: 4500,
      missing: 0,
    },
    {
      name: 'a 2:1 split',
      tallies: [tally({ n1: 2000, n2: 1000 }), tally({ n1: 1000, n2: 500 })],
      passed: false,
      total: 4500,
      missing: 0,
    },
    {
      name: 'an even split with 2 responses lacking the header',
      tallies: [tally({ n1: 3000, n2: 3000 }, 2), tally({ n1: 1500, n2: 1500 })],
      passed: false,
      total: 9000,
      missing: 2,
    },
    { name: 'no tallies', tallies: [], passed: false, total: 0, missing: 0 },
  ])('$name → passed=$passed', ({ tallies, passed, total, missing }) => {
    const check = checkTallies(tallies, { expectedNodes: ['n1', 'n2'] });
    expect(check).toMatchObject({ passed, total, missing });
  });

  it('sums the counts per node exactly and keeps the header', () => {
    const check = checkTallies([tally({ a: 7, b: 5 }, 1), tally({ b: 3, c: 4 }, 2)]);
    expect(check).toMatchObject({ counts: { a: 7, b: 8, c: 4 }, total: 19, missing: 3, header: 'x-node-id' });
  });

  it('refuses tallies of different headers', () => {
    expect(() => checkTallies([tally({ a: 1 }), { header: 'x-other', counts: { a: 1 }, missing: 0 }])).toThrow(
      RangeError,
    );
  });
});
