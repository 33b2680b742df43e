// The Level 4 distribution check: chi-square p-values against published table values, and the
// verdict on even, skewed, noisy and incomplete splits.
import { describe, expect, it } from 'vitest';
import { chiSquarePValue, logGamma, regularizedGammaQ } from '../../../harness/stats/chi-square.ts';
import { checkDistribution } from '../../../harness/stats/distribution.ts';

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
