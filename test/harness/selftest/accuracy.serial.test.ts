import { describe, expect, it } from 'vitest';
import { runSelftestCaseWithRetry, type SelftestCase } from '../../../harness/selftest/cases.ts';

// Shorter runs than `loadlab selftest`, same assertions: percentiles within 5% (or 1 ms) of the truth, counts equal.
const CASES: SelftestCase[] = [
  {
    name: 'open, stalls',
    timing: { serviceMs: 200, stallPeriodMs: 1000, stallMs: 300 },
    model: 'open',
    targetRps: 300,
    durationSec: 3,
    warmupSec: 0.5,
  },
  { name: 'closed, fixed', timing: { serviceMs: 200 }, model: 'closed', connections: 16, durationSec: 3, warmupSec: 0 },
];

describe('accuracy against the oracle', () => {
  it.each(CASES)(
    '$name',
    async (c) => {
      const outcome = await runSelftestCaseWithRetry(c);
      for (const x of outcome.comparisons) {
        expect(
          Math.abs(x.measuredMs - x.expectedMs),
          `${x.percentile}: measured ${x.measuredMs} vs ${x.expectedMs}`,
        ).toBeLessThanOrEqual(x.toleranceMs);
      }
      expect(outcome.oracleCount).toBe(outcome.sent);
      expect(outcome.failed).toBe(0);
    },
    60_000,
  );
});
