import { describe, expect, it } from 'vitest';
import { DEFAULT_CASES, shouldRetry, type CaseOutcome } from '../../../harness/selftest/cases.ts';
import { DEFAULT_PERCENTILES, nearStallEdge, PERCENTILE_Q, toleranceMs } from '../../../harness/selftest/expect.ts';
import { attemptSec, SELFTEST_BUDGET_SEC } from '../../../harness/commands/selftest.ts';

describe('the self-test cases', () => {
  it('keep the 200 ms cases and add 2 ms ones: open and closed fixed, open stalls uniform and Poisson', () => {
    const shape = DEFAULT_CASES.map((c) => [
      c.model,
      c.timing.serviceMs,
      c.timing.stallMs ?? 0,
      c.arrivals ?? 'uniform',
    ]);
    expect(shape).toEqual(
      expect.arrayContaining([
        ['open', 200, 0, 'uniform'],
        ['open', 200, 300, 'uniform'],
        ['closed', 200, 0, 'uniform'],
        ['open', 2, 0, 'uniform'],
        ['closed', 2, 0, 'uniform'],
        ['open', 2, 50, 'uniform'],
        ['open', 2, 50, 'poisson'],
      ]),
    );
  });

  const modelled = DEFAULT_CASES.filter((c) => (c.truth ?? 'model') === 'model');
  it.each(modelled.map((c) => [c.name, c] as const))('%s compares no percentile on its stall edge', (_n, c) => {
    for (const p of c.percentiles ?? DEFAULT_PERCENTILES) expect(nearStallEdge(c.timing, PERCENTILE_Q[p])).toBe(false);
  });

  it('the Poisson case is compared with the oracle’s record of its own run, at p50, p95 and p99', () => {
    const poisson = DEFAULT_CASES.find((c) => c.arrivals === 'poisson')!;
    expect(poisson.truth).toBe('oracle record');
    expect(poisson.percentiles).toEqual(['p50', 'p95', 'p99']);
  });

  it('a 2 ms case is judged at the 0.5 ms floor of the tolerance', () => {
    const fast = DEFAULT_CASES.filter((c) => c.timing.serviceMs === 2);
    expect(fast.length).toBeGreaterThanOrEqual(4);
    for (const c of fast) expect(toleranceMs(c.timing.serviceMs)).toBe(0.5);
  });

  it('one attempt of every case fits the budget, and the budget is well under CI’s 90 s', () => {
    const firstAttempts = DEFAULT_CASES.reduce((sum, c) => sum + attemptSec(c), 0);
    expect(firstAttempts).toBeLessThanOrEqual(SELFTEST_BUDGET_SEC);
    expect(SELFTEST_BUDGET_SEC).toBeLessThanOrEqual(70);
  });
});

describe('which attempts are run again', () => {
  const outcome = (o: Partial<CaseOutcome>): CaseOutcome =>
    ({ sent: 1000, lateSends: 0, generatorStallMs: 3, countsMatch: true, verdict: 'passed', ...o }) as CaseOutcome;

  it.each<[string, Partial<CaseOutcome>, boolean]>([
    ['passed', {}, false],
    ['flagged', { verdict: 'flagged' }, true],
    ['failed on a quiet machine', { verdict: 'failed' }, false],
    ['failed with a 30 ms event-loop stall', { verdict: 'failed', generatorStallMs: 30 }, true],
    ['failed with 2% late sends', { verdict: 'failed', lateSends: 20 }, true],
    ['failed counts, however disturbed', { verdict: 'failed', countsMatch: false, generatorStallMs: 30 }, false],
  ])('%s → retry: %s', (_name, o, retry) => {
    expect(shouldRetry(outcome(o))).toBe(retry);
  });
});
