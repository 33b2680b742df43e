// Ground truth for the self-test: the oracle's latency distribution under arrivals spread evenly over time,
// the one tolerance rule, and a case's verdict from its figures (pure).
import type { OracleTiming } from './oracle.ts';
import { saturationReasons, type SaturationInputs } from '../engine/saturation.ts';

/** Every percentile compared passes when it is within 5% of the expected value or 0.5 ms, whichever is larger. */
export const TOLERANCE = { relative: 0.05, absoluteMs: 0.5 } as const;

export const TOLERANCE_RULE = `${TOLERANCE.relative * 100}% of the expected value or ${TOLERANCE.absoluteMs} ms, whichever is larger`;

export function toleranceMs(expectedMs: number): number {
  return Math.max(TOLERANCE.relative * expectedMs, TOLERANCE.absoluteMs);
}

export function withinTolerance(expectedMs: number, measuredMs: number): boolean {
  // The histogram rounds to microseconds: compare in whole microseconds so 2.5 vs 2 ± 0.5 is inside, not a float's luck.
  return Math.round(Math.abs(measuredMs - expectedMs) * 1000) <= Math.round(toleranceMs(expectedMs) * 1000);
}

/**
 * The q-quantile (0–1) of latency for arrivals spread evenly over the stall period (uniform, or Poisson: a
 * Poisson arrival is equally likely at any phase). Latency counts from the intended send time; a request
 * arriving at phase φ < stallMs waits stallMs − φ and is then served in serviceMs, so latency exceeds
 * serviceMs + x with probability (stallMs − x) / periodMs for 0 ≤ x ≤ stallMs. The quantile is serviceMs up to
 * q = 1 − stallMs / periodMs (the edge) and serviceMs + stallMs − (1 − q) · periodMs above it.
 */
export function expectedQuantileMs(timing: OracleTiming, q: number): number {
  const { serviceMs, stallPeriodMs, stallMs } = timing;
  if (!stallPeriodMs || !stallMs) return serviceMs;
  if (q <= stallEdgeQ(timing)!) return serviceMs;
  return serviceMs + stallMs - (1 - q) * stallPeriodMs;
}

/** The q where the stalled requests begin (1 − stallMs / periodMs); undefined without stalls. */
export function stallEdgeQ(timing: OracleTiming): number | undefined {
  const { stallPeriodMs, stallMs } = timing;
  return stallPeriodMs && stallMs ? 1 - stallMs / stallPeriodMs : undefined;
}

/**
 * A percentile this close (in q) to the stall edge is not compared: there the quantile jumps from serviceMs to
 * serviceMs + stallMs, so a measured value moves by periodMs × Δq (5 ms per 0.01 for 500 ms) with the client's
 * own jitter or, for Poisson arrivals, with the count that happened to arrive during stalls.
 */
export const EDGE_MARGIN_Q = 0.01;

export function nearStallEdge(timing: OracleTiming, q: number): boolean {
  const edge = stallEdgeQ(timing);
  return edge !== undefined && Math.abs(q - edge) < EDGE_MARGIN_Q;
}

export type PercentileName = 'p50' | 'p90' | 'p95' | 'p99' | 'p999';

export const PERCENTILE_Q: Record<PercentileName, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99, p999: 0.999 };

export const DEFAULT_PERCENTILES: readonly PercentileName[] = ['p50', 'p90', 'p99'];

export interface PercentileComparison {
  percentile: string;
  expectedMs: number;
  /** How long the oracle really held requests at this percentile (arrival to answer), when known. */
  oracleMs?: number;
  measuredMs: number;
  /** measured − expected. */
  errorMs: number;
  toleranceMs: number;
  passed: boolean;
}

/**
 * What a case's percentiles are compared with: the oracle's timing model, or — for Poisson arrivals, whose share
 * of requests landing in stalls is itself random — the oracle's own record of how long it held this run's
 * requests (arrival to answer), which is the truth of that one realisation.
 */
export type Truth = 'model' | 'oracle record';

export function comparePercentiles(
  timing: OracleTiming,
  measured: Record<PercentileName, number>,
  percentiles: readonly PercentileName[] = DEFAULT_PERCENTILES,
  oracleHeld?: Record<PercentileName, number>,
  truth: Truth = 'model',
): PercentileComparison[] {
  return percentiles.map((name) => {
    const expectedMs =
      truth === 'oracle record' && oracleHeld ? oracleHeld[name] : expectedQuantileMs(timing, PERCENTILE_Q[name]);
    const measuredMs = measured[name];
    return {
      percentile: name,
      expectedMs,
      ...(oracleHeld ? { oracleMs: oracleHeld[name] } : {}),
      measuredMs,
      errorMs: measuredMs - expectedMs,
      toleranceMs: toleranceMs(expectedMs),
      passed: withinTolerance(expectedMs, measuredMs),
    };
  });
}

/**
 * The oracle's timing is the truth only if the oracle kept it: at every percentile compared, how long it really
 * held requests may differ from its model by at most half the tolerance (its own lateness on a loaded machine,
 * or, for Poisson arrivals, the share that happened to arrive during stalls). Otherwise the case is flagged.
 */
export const ORACLE_SHARE_OF_TOLERANCE = 0.5;

export function oracleOffReasons(comparisons: PercentileComparison[]): string[] {
  return comparisons.flatMap((x) => {
    if (x.oracleMs === undefined) return [];
    const limitMs = ORACLE_SHARE_OF_TOLERANCE * x.toleranceMs;
    if (Math.round(Math.abs(x.oracleMs - x.expectedMs) * 1000) <= Math.round(limitMs * 1000)) return [];
    return [
      `the oracle itself held ${x.percentile} for ${x.oracleMs.toFixed(3)} ms, not ${x.expectedMs.toFixed(3)} ms ` +
        `(off by more than half the tolerance, ${limitMs.toFixed(3)} ms)`,
    ];
  });
}

/**
 * Why a case's figures may be the machine's rather than the engine's: the generator's saturation rule
 * (engine/saturation.ts: late sends, send lag, CPU, event loop) and an oracle that did not keep its own time.
 */
export function flagReasons(generator: SaturationInputs, comparisons: PercentileComparison[]): string[] {
  return [...saturationReasons(generator), ...oracleOffReasons(comparisons)];
}

export type Verdict = 'passed' | 'failed' | 'flagged';

export interface CaseFigures {
  comparisons: PercentileComparison[];
  sent: number;
  oracleCount: number;
  failed: number;
  /** Why the figures may be the machine's rather than the engine's (saturation rule, a late oracle); empty if none. */
  flagReasons: string[];
}

/**
 * A case's verdict. Counts are exact whatever the timing, so sent ≠ received fails even when flagged. Otherwise
 * a flagged case (the generator or the oracle could not keep time on this machine) is "flagged", never passed,
 * whether or not its percentiles happened to agree; an unflagged case passes only when every percentile is
 * within tolerance and no request failed. Requests still in flight when a run stops are not failures (a closed
 * run stops with one request on every connection); they are counted, and sent still equals received.
 */
export function judgeCase(f: CaseFigures): { verdict: Verdict; reason: string } {
  if (f.sent !== f.oracleCount)
    return { verdict: 'failed', reason: `sent ${f.sent} but the oracle received ${f.oracleCount}` };
  if (f.flagReasons.length > 0) return { verdict: 'flagged', reason: f.flagReasons.join('; ') };
  const problems: string[] = [];
  if (f.failed > 0) problems.push(`${f.failed} requests failed`);
  for (const x of f.comparisons.filter((c) => !c.passed))
    problems.push(
      `${x.percentile} measured ${x.measuredMs.toFixed(3)} ms vs ${x.expectedMs.toFixed(3)} ± ${x.toleranceMs.toFixed(3)} ms`,
    );
  if (problems.length > 0) return { verdict: 'failed', reason: problems.join('; ') };
  return { verdict: 'passed', reason: 'every percentile within tolerance, counts equal' };
}
