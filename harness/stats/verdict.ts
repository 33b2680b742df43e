// The verdict on a change, per KPI, from the trials of A and of B (pure). The rule, as the README states it:
//
// - Each KPI is compared on the log scale (throughput, latencies: a change is a ratio) or, for a rate already in %,
//   on its own scale (a change in percentage points). The change is B's mean over A's (geometric means on the log
//   scale) with a 95% t-interval; its variance pools both sides' trials with the noise floor's own measurement of
//   the same spread (degrees of freedom add up), so five trials a side borrow the noise floor's precision.
// - `worse` (`better`) needs both: the one-sided test in that direction is significant after a weighted Holm
//   correction across the judged KPIs (family-wise α = 5% per direction: in an A/A comparison the chance of any
//   `worse` is at most 5%), and the change is beyond the KPI's tolerance in that direction.
// - `same`: not significant, and the 90% interval of the change lies within ± the tolerance (two one-sided tests).
// - `unknown`: neither: the interval is too wide to decide at that tolerance; it says which change the noise hides.
// - A KPI identical in every trial of both sides (an error rate of 0) is `same` and leaves the family (it can
//   carry no evidence, as in Tarone's correction).
import { createRandom } from '../../lib/random.ts';
import { studentTCdf, studentTQuantile } from './student-t.ts';
import type { MetricVerdict, SideSummary } from '../report/compare-model.ts';

export type { MetricVerdict, SideSummary, Verdict } from '../report/compare-model.ts';

export type Direction = 'higher-better' | 'lower-better';
export type Scale = 'log' | 'linear';

/** A KPI's run-to-run spread on one machine: the standard deviation of its ln values (log scale) or of its values (linear), from `df` + 1 trials. */
export interface NoiseFloor {
  sd: number;
  df: number;
}

export interface MetricSamples {
  metric: string;
  unit: string;
  direction: Direction;
  scale: Scale;
  a: number[];
  b: number[];
  /** In % of A (log scale) or in the metric's unit (linear); undefined: from the noise floor. */
  tolerance?: number;
  noise: NoiseFloor;
  judged: boolean;
  /** Share of the family's α (weighted Holm); default 1. */
  weight?: number;
}

export const FAMILY_ALPHA = 0.05;
const POWER = 0.8;
const BOOTSTRAP_RESAMPLES = 2_000;

/** The default tolerance for a KPI with this noise: one run-to-run standard deviation, at least 2% (0.05 points linear). */
export function defaultTolerance(scale: Scale, noise: NoiseFloor): number {
  return scale === 'log' ? Math.max(2, round(100 * Math.expm1(noise.sd), 1)) : Math.max(0.05, round(noise.sd, 3));
}

interface Tested {
  s: MetricSamples;
  tolerance: number;
  diff: number;
  se: number;
  df: number;
  pWorse: number;
  pBetter: number;
  /** -1 when a drop is worse (higher is better), 1 when a rise is. */
  worseSign: -1 | 1;
  constant: boolean;
}

export interface JudgeOptions {
  seed?: number;
  /** Bootstrap resamples for each side's interval of the median (default 2,000; simulations may use fewer). */
  resamples?: number;
}

export function judgeMetrics(list: MetricSamples[], o: JudgeOptions = {}): MetricVerdict[] {
  const tested = list.map(test);
  const judged = tested.filter((t) => t.s.judged && !t.constant && t.df > 0);
  const informational = tested.filter((t) => !t.s.judged && !t.constant && t.df > 0);
  // Each family (judged KPIs; the others) corrected on its own, each direction on its own.
  const significant = new Set<Tested>();
  const alphaOf = new Map<Tested, number>();
  for (const family of [judged, informational]) {
    const total = family.reduce((sum, t) => sum + (t.s.weight ?? 1), 0);
    for (const t of family) alphaOf.set(t, (FAMILY_ALPHA * (t.s.weight ?? 1)) / total);
    for (const side of ['pWorse', 'pBetter'] as const) for (const t of holm(family, side)) significant.add(t);
  }
  const summaries = { seed: o.seed ?? 1, resamples: o.resamples ?? BOOTSTRAP_RESAMPLES };
  return tested.map((t) => decide(t, significant.has(t), alphaOf.get(t) ?? FAMILY_ALPHA, summaries));
}

function test(s: MetricSamples): Tested {
  const tolerance = s.tolerance ?? defaultTolerance(s.scale, s.noise);
  const a = onScale(s.scale, s.a);
  const b = onScale(s.scale, s.b);
  const constant = [...a, ...b].every((v) => v === a[0]);
  const ssA = sumSquares(a);
  const ssB = sumSquares(b);
  const df = a.length - 1 + (b.length - 1) + s.noise.df;
  const variance = df > 0 ? (ssA + ssB + s.noise.df * s.noise.sd ** 2) / df : NaN;
  const se = Math.sqrt(variance * (1 / a.length + 1 / b.length));
  const diff = mean(b) - mean(a);
  // "Worse" is a drop in a higher-is-better KPI, a rise in a lower-is-better one.
  const worseSign = s.direction === 'higher-better' ? -1 : 1;
  const t = se > 0 ? (diff * worseSign) / se : diff === 0 ? 0 : Infinity * Math.sign(diff * worseSign);
  const pWorse = df > 0 ? 1 - studentTCdf(t, df) : 1;
  const pBetter = df > 0 ? studentTCdf(t, df) : 1;
  return { s, tolerance, diff, se, df, worseSign, pWorse, pBetter, constant };
}

/** Weighted Holm step-down: the hypotheses rejected at family-wise FAMILY_ALPHA. */
function holm(family: Tested[], side: 'pWorse' | 'pBetter'): Tested[] {
  const order = [...family].sort((x, y) => x[side] / (x.s.weight ?? 1) - y[side] / (y.s.weight ?? 1));
  let remaining = order.reduce((sum, t) => sum + (t.s.weight ?? 1), 0);
  const rejected: Tested[] = [];
  for (const t of order) {
    const w = t.s.weight ?? 1;
    if (t[side] > (FAMILY_ALPHA * w) / remaining) break;
    rejected.push(t);
    remaining -= w;
  }
  return rejected;
}

function decide(t: Tested, significant: boolean, alpha: number, o: { seed: number; resamples: number }): MetricVerdict {
  const { s } = t;
  const log = s.scale === 'log';
  const toChange = (d: number) => (log ? 100 * Math.expm1(d) : d);
  const base = {
    metric: s.metric,
    unit: s.unit,
    a: summarize(s.a, o.seed, o.resamples),
    b: summarize(s.b, o.seed + 1, o.resamples),
    tolerancePct: t.tolerance,
    judged: s.judged,
  };
  if (t.constant)
    return {
      ...base,
      changePct: 0,
      changeCi: [0, 0],
      pValue: 1,
      verdict: 'same',
      detectablePct: null,
      reason: `identical in every trial (${fmt(s.a[0] ?? 0)} ${s.unit})`,
    };
  if (!(t.df > 0))
    return {
      ...base,
      changePct: round(toChange(t.diff), 2),
      changeCi: null,
      pValue: 1,
      verdict: 'unknown',
      detectablePct: null,
      reason: 'collect more trials: one trial a side and no noise floor give no interval',
    };
  const half95 = studentTQuantile(0.975, t.df) * t.se;
  const half90 = studentTQuantile(0.95, t.df) * t.se;
  const change = toChange(t.diff);
  const ci: [number, number] = [round(toChange(t.diff - half95), 2), round(toChange(t.diff + half95), 2)];
  const ci90 = [toChange(t.diff - half90), toChange(t.diff + half90)] as const;
  const beyond = change * t.worseSign > t.tolerance ? 'worse' : change * t.worseSign < -t.tolerance ? 'better' : null;
  const detectable = round(toChange(reach(t.df, alpha, t.se)), 1);
  const pValue = round(Math.min(1, 2 * Math.min(t.pWorse, t.pBetter)), 6);
  const common = { ...base, changePct: round(change, 2), changeCi: ci, pValue, detectablePct: detectable };
  const tol = log ? `${t.tolerance}%` : `${t.tolerance} points`;
  if (significant && beyond)
    return { ...common, verdict: beyond, reason: `${beyond}: beyond the ±${tol} tolerance and significant` };
  if (ci90[0] >= -t.tolerance && ci90[1] <= t.tolerance)
    return { ...common, verdict: 'same', reason: `the change is within ±${tol}` };
  return {
    ...common,
    verdict: 'unknown',
    reason: `collect more trials: the noise here hides changes under ${detectable}${log ? '%' : ' points'}`,
  };
}

/** Trials a side for these trials to detect a change of `tolerance` at level `alpha` with 80% power (≤ 200). */
export function trialsNeeded(scale: Scale, noise: NoiseFloor, tolerance: number, alpha = FAMILY_ALPHA): number | null {
  const d = scale === 'log' ? Math.log1p(tolerance / 100) : tolerance;
  for (let n = 2; n <= 200; n++) if (reachWith(noise, n, alpha) <= d) return n;
  return null;
}

/** The smallest change n trials a side detect with 80% power at level `alpha`, in % (log) or points (linear). */
export function detectableChange(scale: Scale, noise: NoiseFloor, n: number, alpha = FAMILY_ALPHA): number {
  const d = reachWith(noise, n, alpha);
  return round(scale === 'log' ? 100 * Math.expm1(d) : d, 1);
}

/** The change (on the test's scale) a test with this standard error and df detects at `alpha` with 80% power. */
function reach(df: number, alpha: number, se: number): number {
  return (studentTQuantile(1 - alpha, df) + studentTQuantile(POWER, df)) * se;
}

/** reach() for n trials a side whose only other spread is the noise floor's. */
function reachWith(noise: NoiseFloor, n: number, alpha: number): number {
  return reach(2 * n - 2 + noise.df, alpha, noise.sd * Math.sqrt(2 / n));
}

/** Values on the test's scale: ln for a ratio KPI (clamped above 0), as they are for a rate in %. */
function onScale(scale: Scale, values: number[]): number[] {
  return scale === 'log' ? values.map((v) => Math.log(Math.max(v, 1e-9))) : values;
}

/** The run-to-run spread of one KPI's trial values on its scale: the noise floor a `loadlab noise` run writes. */
export function measureNoise(scale: Scale, values: number[]): NoiseFloor {
  const f = onScale(scale, values);
  const df = f.length - 1;
  return { sd: df > 0 ? round(Math.sqrt(sumSquares(f) / df), 5) : 0, df: Math.max(0, df) };
}

/** Median and a 95% bootstrap (percentile) interval of the median. */
export function summarize(values: number[], seed = 1, resamples = BOOTSTRAP_RESAMPLES): SideSummary {
  const n = values.length;
  if (n === 0) return { median: NaN, ciLow: NaN, ciHigh: NaN, n };
  const med = median(values);
  if (n === 1) return { median: med, ciLow: med, ciHigh: med, n };
  const random = createRandom(seed);
  const medians: number[] = [];
  const sample = new Array<number>(n);
  for (let i = 0; i < Math.max(1, resamples); i++) {
    for (let j = 0; j < n; j++) sample[j] = values[Math.floor(random() * n)]!;
    medians.push(median(sample));
  }
  medians.sort((x, y) => x - y);
  const at = (q: number) => medians[Math.min(medians.length - 1, Math.floor(q * medians.length))]!;
  return { median: med, ciLow: at(0.025), ciHigh: at(0.975), n };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function sumSquares(values: number[]): number {
  const m = mean(values);
  return values.reduce((sum, v) => sum + (v - m) ** 2, 0);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function fmt(value: number): string {
  return String(round(value, 3));
}
