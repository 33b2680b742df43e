import { describe, expect, it } from 'vitest';
import { runSelftestCaseWithRetry, type SelftestCase } from '../../../harness/selftest/cases.ts';

// Shorter runs than `loadlab selftest`, same rules: counts exact whatever the machine; percentiles within 5% or
// 0.5 ms of the truth, unless the case is flagged (the generator or the oracle could not keep time here: then
// the reason is shown, and the verdict is "flagged", never "passed" — a failed case fails the test).
const CASES: SelftestCase[] = [
  {
    name: 'open, 200 ms, stalls',
    timing: { serviceMs: 200, stallPeriodMs: 1000, stallMs: 300 },
    model: 'open',
    targetRps: 300,
    durationSec: 3,
    warmupSec: 0.5,
  },
  {
    name: 'closed, fixed 200 ms',
    timing: { serviceMs: 200 },
    model: 'closed',
    connections: 16,
    durationSec: 3,
    warmupSec: 0,
  },
  {
    name: 'open, 2 ms, stalls, 2000/s',
    timing: { serviceMs: 2, stallPeriodMs: 500, stallMs: 50 },
    model: 'open',
    targetRps: 2000,
    durationSec: 3,
    warmupSec: 0.5,
    percentiles: ['p50', 'p95', 'p99'],
    // As `loadlab selftest` judges it: against the oracle's record of when it wrote each answer. Its burst of
    // writes after a stall holds p95 1–1.7 ms past its model here, so against the model a run whose oracle
    // happened to keep within half the tolerance passed or failed on the oracle's luck (one CI run in many).
    truth: 'oracle record',
  },
];

describe('accuracy against the oracle', () => {
  it.each(CASES)(
    '$name',
    async (c) => {
      const outcome = await runSelftestCaseWithRetry(c);
      expect(outcome.oracleCount).toBe(outcome.sent);
      expect(outcome.sent).toBeGreaterThan(0);
      expect(outcome.failed).toBe(0);
      expect(outcome.completed + outcome.inFlight).toBe(outcome.sent);
      if (outcome.verdict === 'flagged') {
        console.warn(`${c.name}: flagged after ${outcome.attempts} attempts: ${outcome.reason}`);
        expect(outcome.reason).not.toBe('');
        return;
      }
      expect(outcome.verdict, outcome.reason).toBe('passed');
      for (const x of outcome.comparisons) {
        expect(
          Math.abs(x.measuredMs - x.expectedMs),
          `${x.percentile}: measured ${x.measuredMs} vs ${x.expectedMs}`,
        ).toBeLessThanOrEqual(x.toleranceMs);
      }
    },
    60_000,
  );
});
