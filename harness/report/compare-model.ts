// The compare.json contract (schemaVersion 1) as TypeScript types; report/compare.schema.json is its JSON Schema.
// A leaf like model.ts: it imports nothing but run.json's types.
import type { CalibrationReport } from './model.ts';

export type Verdict = 'better' | 'worse' | 'same' | 'unknown';

/** One side's trials of one KPI: their median and a 95% bootstrap interval of it. */
export interface SideSummary {
  median: number;
  ciLow: number;
  ciHigh: number;
  n: number;
}

export interface MetricVerdict {
  /** "<level or run> <KPI>", e.g. "level0 p99", "level0 GET /api/users/:id p50". */
  metric: string;
  unit: string;
  a: SideSummary;
  b: SideSummary;
  /** B against A: % on the log scale, percentage points for a rate already in % (error rate, availability). */
  changePct: number | null;
  /** The 95% interval of the change, in the same unit. */
  changeCi: [number, number] | null;
  tolerancePct: number;
  /** Two-sided p-value of the change, before the family-wise correction. */
  pValue: number;
  verdict: Verdict;
  /** In the family that decides the exit code (the core KPIs); the others are told, not judged. */
  judged: boolean;
  /** The smallest change these trials detect with 80% power, in the unit of changePct. */
  detectablePct: number | null;
  reason: string;
}

export interface CompareSide {
  /** The run's id, and where it was read from (a run folder or a baseline). */
  id: string;
  source: string;
  kind: string;
  gitCommit: string | null;
  trials: number;
}

export interface CompareJson {
  schemaVersion: 1;
  kind: 'compare';
  id: string;
  createdAt: string;
  a: CompareSide;
  b: CompareSide;
  trials: { a: number; b: number };
  calibration: {
    a: CalibrationReport | null;
    b: CalibrationReport | null;
    crossMachine: boolean;
    /** B's reference throughput over A's; B's figures were divided (throughput) or multiplied (latency) by it. */
    ratio: number | null;
    normalized: boolean;
  };
  /** Where each KPI's run-to-run spread came from: a noise.json, or the built-in figures measured on a 2-core machine. */
  noise: { source: string; trials: number | null };
  /** The rule the verdicts follow, in one paragraph. */
  method: string;
  verdicts: MetricVerdict[];
  /** What may make the verdicts the machine's or the generator's: saturated trials, coarse p99s, a busy machine. */
  warnings: string[];
  passed: boolean;
}

/** What `loadlab noise` writes beside run.json: each KPI's run-to-run spread on this machine. */
export interface NoiseJson {
  schemaVersion: 1;
  kind: 'noise';
  runId: string;
  trials: number;
  calibration: CalibrationReport | null;
  metrics: NoiseMetric[];
}

export interface NoiseMetric {
  metric: string;
  unit: string;
  scale: 'log' | 'linear';
  /** Standard deviation of the trials' ln values (log) or values (linear); df = trials − 1. */
  sd: number;
  df: number;
  /** The spread as a % of the value (log) or in points (linear): the default tolerance's basis. */
  spreadPct: number;
  tolerancePct: number;
  /** The smallest change 3, 5 and 10 trials a side detect (80% power, at a judged KPI's α). */
  detectable: { '3': number; '5': number; '10': number };
  /** Trials a side to detect a change of the tolerance. */
  trialsForTolerance: number | null;
}
