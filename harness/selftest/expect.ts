// Ground truth for the self-test: the oracle's latency distribution under uniform arrivals, and the tolerance rule (pure).
import type { OracleTiming } from './oracle.ts';

/** A figure passes when it is within 5% of the expected value or within 1 ms, whichever is larger. */
export const TOLERANCE = { relative: 0.05, absoluteMs: 1 } as const;

export function toleranceMs(expectedMs: number): number {
  return Math.max(TOLERANCE.relative * expectedMs, TOLERANCE.absoluteMs);
}

export function withinTolerance(expectedMs: number, measuredMs: number): boolean {
  return Math.abs(measuredMs - expectedMs) <= toleranceMs(expectedMs);
}

/**
 * The q-quantile (0–1) of latency for arrivals spread uniformly over the stall period: a request arriving
 * at phase φ waits max(0, stallMs − φ) and is then served in serviceMs, so latency exceeds
 * serviceMs + x with probability (stallMs − x) / periodMs for 0 ≤ x ≤ stallMs.
 */
export function expectedQuantileMs(timing: OracleTiming, q: number): number {
  const { serviceMs, stallPeriodMs, stallMs } = timing;
  if (!stallPeriodMs || !stallMs) return serviceMs;
  const stallShare = stallMs / stallPeriodMs;
  if (q <= 1 - stallShare) return serviceMs;
  return serviceMs + stallMs - (1 - q) * stallPeriodMs;
}

export interface PercentileComparison {
  percentile: string;
  expectedMs: number;
  measuredMs: number;
  toleranceMs: number;
  passed: boolean;
}

export const SELFTEST_PERCENTILES = [
  { name: 'p50', q: 0.5 },
  { name: 'p90', q: 0.9 },
  { name: 'p99', q: 0.99 },
] as const;

export function comparePercentiles(
  timing: OracleTiming,
  measured: { p50: number; p90: number; p99: number },
): PercentileComparison[] {
  return SELFTEST_PERCENTILES.map(({ name, q }) => {
    const expectedMs = expectedQuantileMs(timing, q);
    return {
      percentile: name,
      expectedMs,
      measuredMs: measured[name],
      toleranceMs: toleranceMs(expectedMs),
      passed: withinTolerance(expectedMs, measured[name]),
    };
  });
}
