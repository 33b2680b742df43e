import { describe, expect, it } from 'vitest';
import { expectedQuantileMs, toleranceMs } from '../../../harness/selftest/expect.ts';
import { answerAtMs } from '../../../harness/selftest/oracle.ts';

const stalls = { serviceMs: 20, stallPeriodMs: 1000, stallMs: 200 };

describe('oracle ground truth', () => {
  it.each([
    [0.5, 20],
    [0.8, 20],
    [0.9, 120],
    [0.95, 170],
    [0.99, 210],
  ])('q=%f → %f ms', (q, ms) => {
    expect(expectedQuantileMs(stalls, q)).toBeCloseTo(ms, 9);
  });

  it('a fixed service time is every quantile', () => {
    expect(expectedQuantileMs({ serviceMs: 10 }, 0.99)).toBe(10);
  });

  it.each([
    [0, 220],
    [150, 220],
    [199.5, 220],
    [200, 220],
    [700, 720],
    [1100, 1220],
  ])('arrival at %f ms is answered at %f ms', (arrival, answer) => {
    expect(answerAtMs(stalls, arrival)).toBe(answer);
  });

  it('tolerance is 5% or 1 ms, whichever is larger', () => {
    expect(toleranceMs(10)).toBe(1);
    expect(toleranceMs(200)).toBe(10);
  });
});
