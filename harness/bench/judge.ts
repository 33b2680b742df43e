// The benches' pure stage: measured rates in; medians, ratios, speed-ups and verdicts out.
// Numbers only: report/words/bench.ts names and phrases them.

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

/** An open-model probe holds when ≤ 1% of its sends were late and every request was answered successfully. */
export const PROBE_RULE = { maxLateShare: 0.01 } as const;

export interface ProbeCounts {
  sent: number;
  completed: number;
  failed: number;
  lateSends: number;
}

export interface ProbeVerdict {
  rateRps: number;
  lateShare: number;
  held: boolean;
}

export function judgeProbe(rateRps: number, c: ProbeCounts): ProbeVerdict {
  const lateShare = c.lateSends / Math.max(1, c.sent);
  return { rateRps, lateShare, held: lateShare <= PROBE_RULE.maxLateShare && c.failed === 0 && c.completed === c.sent };
}

/** The bisection of the open engine's highest on-schedule rate: at most 6 probes, stopping within 3% (or 100 req/s). */
export const RATE_SEARCH = { maxProbes: 6, capRps: 20_000, relativeGap: 0.03, absoluteGapRps: 100 } as const;

/** The next rate to probe after `probes`, or undefined when the bracket is narrow enough (pure). */
export function nextProbeRate(closedRps: number, probes: readonly ProbeVerdict[]): number | undefined {
  const { lo, hi } = bracket(closedRps, probes);
  if (
    probes.length >= RATE_SEARCH.maxProbes ||
    hi - lo <= Math.max(RATE_SEARCH.absoluteGapRps, hi * RATE_SEARCH.relativeGap)
  )
    return undefined;
  return Math.round((lo + hi) / 2);
}

/** The highest rate that held (0 when none did). */
export function highestHeldRps(closedRps: number, probes: readonly ProbeVerdict[]): number {
  return bracket(closedRps, probes).lo;
}

function bracket(closedRps: number, probes: readonly ProbeVerdict[]): { lo: number; hi: number } {
  let lo = 0;
  let hi = Math.ceil(Math.min(closedRps, RATE_SEARCH.capRps));
  for (const p of probes) {
    if (p.held) lo = p.rateRps;
    else hi = p.rateRps;
  }
  return { lo, hi };
}

export interface EngineFigures {
  closedRps: number;
  autocannonCliRps: number;
  /** Undefined when wrk is not on PATH. */
  wrkRps?: number;
  openMaxRps: number;
  rss: RssSummary;
}

/** The goals bench engine states; they colour its KPI rows but set no exit code (the bench has no pass/fail rule). */
export const ENGINE_GOALS = { closedToAutocannonCli: 0.95, rssPeakMb: 200 } as const;

export interface EngineVerdict {
  closedToAutocannonCli: number;
  closedToWrk?: number;
  openToClosed: number;
  closedMeetsAutocannonGoal: boolean;
  rssWithinGoal: boolean;
}

export function judgeEngine(f: EngineFigures): EngineVerdict {
  const closedToAutocannonCli = f.closedRps / f.autocannonCliRps;
  return {
    closedToAutocannonCli,
    ...(f.wrkRps !== undefined ? { closedToWrk: f.closedRps / f.wrkRps } : {}),
    openToClosed: f.openMaxRps / f.closedRps,
    closedMeetsAutocannonGoal: closedToAutocannonCli >= ENGINE_GOALS.closedToAutocannonCli,
    rssWithinGoal: f.rss.peakMb < ENGINE_GOALS.rssPeakMb,
  };
}
