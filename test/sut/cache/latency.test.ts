// Simulated latency: spec parsing, seeded repeatability, and quantiles of the drawn distributions.
import { describe, expect, it } from 'vitest';
import {
  createLatencySampler,
  formatLatencySpec,
  parseLatencySpec,
  type LatencySpec,
} from '../../../sut/cache/latency.ts';

const DRAWS = 10_000;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function drawSorted(spec: LatencySpec, seed = 42, draws = DRAWS): number[] {
  const draw = createLatencySampler(spec, seed);
  return Array.from({ length: draws }, draw).sort((a, b) => a - b);
}

// The sample p99 of a heavy tail is noisy: with sigma ≈ 1 its standard error is about 3.7% at
// 10,000 draws, so a 5% bound would fail by chance for some seeds. 100,000 draws make it ~1.2%.
const TAIL_DRAWS = 100_000;

describe('parseLatencySpec', () => {
  it.each([
    ['none', { kind: 'none' }],
    ['fixed:20', { kind: 'fixed', ms: 20 }],
    ['uniform:20-80', { kind: 'uniform', minMs: 20, maxMs: 80 }],
    ['lognormal:p50=20,p99=200', { kind: 'lognormal', p50Ms: 20, p99Ms: 200 }],
    [' Fixed:2.5 ', { kind: 'fixed', ms: 2.5 }],
  ])('%s', (text, expected) => {
    expect(parseLatencySpec(text)).toEqual(expected);
  });

  it.each([
    '',
    'fast',
    'fixed:',
    'fixed:-1',
    'uniform:80-20',
    'uniform:20',
    'lognormal:p50=0,p99=10',
    'lognormal:p50=50,p99=10',
    'lognormal:p99=1',
  ])('rejects %j with what it accepts', (text) => {
    expect(parseLatencySpec(text)).toMatch(
      /^expected none, fixed:<ms>, uniform:<min>-<max> or lognormal:p50=<ms>,p99=<ms>/,
    );
  });

  it('formats back to what it parsed', () => {
    for (const text of ['none', 'fixed:20', 'uniform:20-80', 'lognormal:p50=20,p99=200']) {
      expect(formatLatencySpec(parseLatencySpec(text) as LatencySpec)).toBe(text);
    }
  });
});

describe('createLatencySampler', () => {
  it('draws the same sequence for the same seed and another for another seed', () => {
    const spec: LatencySpec = { kind: 'uniform', minMs: 20, maxMs: 80 };
    const a = createLatencySampler(spec, 7);
    const b = createLatencySampler(spec, 7);
    const c = createLatencySampler(spec, 8);
    const seqA = Array.from({ length: 100 }, a);
    expect(Array.from({ length: 100 }, b)).toEqual(seqA);
    expect(Array.from({ length: 100 }, c)).not.toEqual(seqA);
  });

  it('fixed and none are constant', () => {
    expect(new Set(drawSorted({ kind: 'fixed', ms: 20 }))).toEqual(new Set([20]));
    expect(new Set(drawSorted({ kind: 'none' }))).toEqual(new Set([0]));
  });

  it('uniform 20-80: bounds, and quartiles within 5% of the configured ones', () => {
    const sorted = drawSorted({ kind: 'uniform', minMs: 20, maxMs: 80 });
    expect(sorted[0]).toBeGreaterThanOrEqual(20);
    expect(sorted[sorted.length - 1]).toBeLessThan(80);
    for (const [q, expected] of [
      [0.25, 35],
      [0.5, 50],
      [0.75, 65],
      [0.99, 79.4],
    ] as const) {
      expect(Math.abs(quantile(sorted, q) - expected) / expected).toBeLessThan(0.05);
    }
  });

  it.each([
    [20, 200],
    [5, 50],
    [100, 120],
  ])('lognormal p50=%d p99=%d: drawn p50 (10k draws) and p99 (100k draws) within 5%%', (p50Ms, p99Ms) => {
    const spec: LatencySpec = { kind: 'lognormal', p50Ms, p99Ms };
    for (const seed of [1, 2, 3]) {
      const sorted = drawSorted(spec, seed);
      expect(Math.abs(quantile(sorted, 0.5) - p50Ms) / p50Ms).toBeLessThan(0.05);
      const tail = drawSorted(spec, seed, TAIL_DRAWS);
      expect(Math.abs(quantile(tail, 0.99) - p99Ms) / p99Ms).toBeLessThan(0.05);
    }
  });
});
