// The benches' pure stage: measured rates in; medians, ratios, speed-ups and verdicts out.
// Numbers only: report/words/bench.ts names and phrases them.
import type { EngineFigures, EngineVerdict } from '../report/words/bench.ts';

export type { EngineFigures, EngineVerdict };

/** One overhead target's interleaved samples; `goalRatio` is the lowest acceptable ratio to the bare server. */
export interface RateSamples {
  key: string;
  samplesRps: number[];
  goalRatio?: number;
}

export interface RatioVerdict {
  key: string;
  rps: number;
  ratioToBare: number;
  goalRatio?: number;
  /** Set only where there is a goal. */
  passed?: boolean;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Each target's median rate and its ratio to the first target (the bare server), judged against its goal. */
export function judgeOverhead(targets: readonly RateSamples[]): RatioVerdict[] {
  const rates = targets.map((t) => median(t.samplesRps));
  const bareRps = rates[0]!;
  return targets.map((t, i) => {
    const ratioToBare = rates[i]! / bareRps;
    const verdict: RatioVerdict = { key: t.key, rps: rates[i]!, ratioToBare };
    return t.goalRatio === undefined
      ? verdict
      : { ...verdict, goalRatio: t.goalRatio, passed: ratioToBare >= t.goalRatio };
  });
}

export interface WorkersRate {
  workers: number;
  rps: number;
}

export interface WorkersVerdict extends WorkersRate {
  /** Rate ÷ the first (1-worker) rate. */
  speedup: number;
  /** Speed-up ÷ workers, in %. */
  efficiencyPct: number;
}

export function judgeWorkers(rates: readonly WorkersRate[]): WorkersVerdict[] {
  const baseRps = rates[0]?.rps ?? NaN;
  return rates.map((r) => ({ ...r, speedup: r.rps / baseRps, efficiencyPct: (r.rps / baseRps / r.workers) * 100 }));
}

export interface RssSummary {
  peakMb: number;
  /** Mean of the first and of the last quarter of the samples: a flat run has them close. */
  firstQuarterMb: number;
  lastQuarterMb: number;
}

export function summarizeRss(samplesMb: readonly number[]): RssSummary {
  const quarter = Math.max(1, Math.floor(samplesMb.length / 4));
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    peakMb: Math.max(...samplesMb),
    firstQuarterMb: mean(samplesMb.slice(0, quarter)),
    lastQuarterMb: mean(samplesMb.slice(-quarter)),
  };
}

/**
 * An open-engine probe holds when ≤ 1% of its sends left late, its p99 (from the intended send time) is within
 * 0.5 ms of the closed model's p99 at low load, every request was answered, and the phase was not flagged
 * generatorSaturated; a wrk2 probe holds when it achieved ≥ 99% of the rate it schedules (see wrk2ScheduledRps),
 * its p99 is within the same 0.5 ms, and it saw no socket errors or error statuses.
 */
export const PROBE_RULE = { maxLateShare: 0.01, p99MarginMs: 0.5, minAchievedShare: 0.99 } as const;

/** Why a probe did not hold: late, p99 over the limit, failed or unanswered, generator saturated, rate not achieved. */
export type ProbeMiss = 'late' | 'p99' | 'unanswered' | 'saturated' | 'rate';

export interface OpenProbeFigures {
  sent: number;
  completed: number;
  failed: number;
  lateSends: number;
  sendLagP99Ms: number;
  /** From the intended send time. */
  p99Ms: number;
  generatorSaturated: boolean;
  saturationReason?: string;
}

export interface OpenProbeVerdict {
  rateRps: number;
  lateShare: number;
  sendLagP99Ms: number;
  p99Ms: number;
  /** The low-load closed p99 plus the margin. */
  p99LimitMs: number;
  misses: ProbeMiss[];
  saturationReason?: string;
  held: boolean;
}

export function judgeOpenProbe(rateRps: number, f: OpenProbeFigures, baselineP99Ms: number): OpenProbeVerdict {
  const lateShare = f.lateSends / Math.max(1, f.sent);
  const p99LimitMs = baselineP99Ms + PROBE_RULE.p99MarginMs;
  const misses: ProbeMiss[] = [];
  if (lateShare > PROBE_RULE.maxLateShare) misses.push('late');
  if (f.p99Ms > p99LimitMs) misses.push('p99');
  if (f.failed > 0 || f.completed !== f.sent) misses.push('unanswered');
  if (f.generatorSaturated) misses.push('saturated');
  return {
    rateRps,
    lateShare,
    sendLagP99Ms: f.sendLagP99Ms,
    p99Ms: f.p99Ms,
    p99LimitMs,
    misses,
    ...(f.generatorSaturated && f.saturationReason ? { saturationReason: f.saturationReason } : {}),
    held: misses.length === 0,
  };
}

/** wrk2 opens its connections 5 ms apart, and each keeps its own schedule from its connect (wrk2's wrk.c). */
export const WRK2_CONNECT_STAGGER_MS = 5;

/**
 * The rate wrk2 schedules over a run when asked for `rateRps`: connection i (from 0) starts i × 5 ms late and
 * sends rate ÷ connections from then on, so the run holds rate × (1 − 5 ms × (connections − 1) ÷ 2 ÷ duration).
 */
export function wrk2ScheduledRps(rateRps: number, connections: number, durationSec: number): number {
  const meanLateSec = (WRK2_CONNECT_STAGGER_MS / 1000) * ((connections - 1) / 2);
  return rateRps * Math.max(0, 1 - meanLateSec / durationSec);
}

export interface Wrk2ProbeFigures {
  /** wrk2's Requests/sec: responses ÷ its run time. */
  achievedRps: number;
  /** Its "Recorded Latency" p50 and p99: from each request's intended send time. */
  p50Ms: number;
  p99Ms: number;
  /** Socket errors and error statuses together. */
  errors: number;
}

export interface Wrk2ProbeVerdict {
  rateRps: number;
  achievedRps: number;
  scheduledRps: number;
  p50Ms: number;
  p99Ms: number;
  p99LimitMs: number;
  misses: ProbeMiss[];
  held: boolean;
}

export function judgeWrk2Probe(
  rateRps: number,
  f: Wrk2ProbeFigures,
  baselineP99Ms: number,
  run: { connections: number; durationSec: number },
): Wrk2ProbeVerdict {
  const scheduledRps = wrk2ScheduledRps(rateRps, run.connections, run.durationSec);
  const p99LimitMs = baselineP99Ms + PROBE_RULE.p99MarginMs;
  const misses: ProbeMiss[] = [];
  if (f.achievedRps < PROBE_RULE.minAchievedShare * scheduledRps) misses.push('rate');
  if (f.p99Ms > p99LimitMs) misses.push('p99');
  if (f.errors > 0) misses.push('unanswered');
  return {
    rateRps,
    achievedRps: f.achievedRps,
    scheduledRps,
    p50Ms: f.p50Ms,
    p99Ms: f.p99Ms,
    p99LimitMs,
    misses,
    held: misses.length === 0,
  };
}

/** What the bisection reads of a probe. */
export interface Probed {
  rateRps: number;
  held: boolean;
}

export interface RateSearch {
  maxProbes: number;
  capRps: number;
}

/**
 * The bisection of the highest rate where a probe holds, from [0, cap]: at most 8 probes, stopping once the
 * bracket is within 3% of its top (or 100 req/s). `--quick` asks for fewer probes.
 */
export const RATE_SEARCH = { maxProbes: 8, capRps: 60_000, relativeGap: 0.03, absoluteGapRps: 100 } as const;

/** The next rate to probe after `probes`, or undefined when the bracket is narrow enough (pure). */
export function nextProbeRate(probes: readonly Probed[], search: RateSearch = RATE_SEARCH): number | undefined {
  const { lo, hi } = bracket(probes, search.capRps);
  if (
    probes.length >= search.maxProbes ||
    hi - lo <= Math.max(RATE_SEARCH.absoluteGapRps, hi * RATE_SEARCH.relativeGap)
  )
    return undefined;
  return Math.round((lo + hi) / 2);
}

/** The highest rate that held (0 when none did). */
export function highestHeldRps(probes: readonly Probed[], capRps: number = RATE_SEARCH.capRps): number {
  return bracket(probes, capRps).lo;
}

/**
 * The highest probed rate whose only miss, if any, was the p99 limit: where the schedule was kept with the latency
 * not judged. A lower bound, read off the probes the full rule's bisection chose (0 when none).
 */
export function highestOnScheduleRps(probes: readonly { rateRps: number; misses: readonly ProbeMiss[] }[]): number {
  return Math.max(0, ...probes.filter((p) => p.misses.every((m) => m === 'p99')).map((p) => p.rateRps));
}

function bracket(probes: readonly Probed[], capRps: number): { lo: number; hi: number } {
  let lo = 0;
  let hi = capRps;
  for (const p of probes) {
    if (p.held) lo = Math.max(lo, p.rateRps);
    else hi = Math.min(hi, p.rateRps);
  }
  return { lo, hi };
}

/**
 * The generator thread counts searched by default: 1, then powers of two up to the cores the generator has to
 * itself (pinned apart from the target), and that many; just 1 when it has one core, or none to itself.
 */
export function defaultThreadCounts(generatorCores: number): number[] {
  const counts = [1];
  for (let n = 2; n < generatorCores; n *= 2) counts.push(n);
  if (generatorCores > 1) counts.push(generatorCores);
  return counts;
}

/** The goals bench engine states; they colour its KPI rows but set no exit code (the bench has no pass/fail rule). */
export const ENGINE_GOALS = {
  closedToAutocannonCli: 0.95,
  rssPeakMb: 200,
  openOneThreadRps: 15_000,
  sendLagP50Ms: 0.1,
  sendLagP99Ms: 0.5,
  /** |open p50 − closed p50| at one connection. */
  p50WithinMs: 0.2,
} as const;

export function judgeEngine(f: EngineFigures): EngineVerdict {
  const g = ENGINE_GOALS;
  const closedToAutocannonCli = f.closedRps / f.autocannonCliRps;
  const oneThread = f.open.find((o) => o.threads === 1);
  const p50DifferenceMs = Math.round((f.precision.p50Ms - f.baseline.p50Ms) * 1000) / 1000; // both are µs-exact
  return {
    closedToAutocannonCli,
    ...(f.wrkRps !== undefined ? { closedToWrk: f.closedRps / f.wrkRps } : {}),
    ...(oneThread && f.wrk2MaxRps ? { openToWrk2: oneThread.maxRps / f.wrk2MaxRps } : {}),
    p50DifferenceMs,
    meets: {
      closedToAutocannonCli: closedToAutocannonCli >= g.closedToAutocannonCli,
      rss: f.rss.peakMb < g.rssPeakMb,
      ...(oneThread ? { openOneThread: oneThread.maxRps >= g.openOneThreadRps } : {}),
      sendLagP50: f.precision.sendLagP50Ms <= g.sendLagP50Ms,
      sendLagP99: f.precision.sendLagP99Ms <= g.sendLagP99Ms,
      p50: Math.abs(p50DifferenceMs) <= g.p50WithinMs,
    },
  };
}
