// Which behaviour a phase saw from its target beyond capacity (pure): shed (503), limited (429), failed (timeouts,
// resets, refusals, other 5xx), queued (latency grew, no errors) or none. The summary, run.json and the stress
// probes say it.
import type { OverloadBehaviour, PhaseReport, RequestCounts, SeriesRow } from './model.ts';

/**
 * The rule: a kind of error counts when it is at least `minErrorShare` of the requests sent; of those that count,
 * the most frequent names the behaviour (ties: failed, then shed, then limited). With none, a phase whose median
 * latency in its last third is at least `queuedGrowth` × that of its first third, and `queuedMinRiseMs` higher, queued.
 */
export const OVERLOAD_RULE = { minErrorShare: 0.01, queuedGrowth: 2, queuedMinRiseMs: 10 } as const;

/** The median latency of a phase's first and last thirds (per-second windows that had answers). */
export interface LatencyTrend {
  earlyP50Ms: number;
  lateP50Ms: number;
}

export interface OverloadEvidence {
  requests: Pick<RequestCounts, 'sent' | 'byStatus' | 'byError'>;
  /** Absent when the phase had too few seconds with answers to tell. */
  trend?: LatencyTrend;
}

/** A 503 is read as shed: SUT_OVERLOADED is the SUT's 503 under load (a database outage is one too: see the statuses). */
const SHED_STATUS = '503';
const LIMITED_STATUS = '429';

export function classifyOverload(e: OverloadEvidence): OverloadBehaviour {
  const { sent, byStatus, byError } = e.requests;
  if (sent === 0) return 'none';
  const otherFiveXx = Object.entries(byStatus).filter(([status]) => Number(status) >= 500 && status !== SHED_STATUS);
  const counted: [OverloadBehaviour, number][] = [
    ['failed', [...Object.values(byError), ...otherFiveXx.map(([, n]) => n)].reduce((sum, n) => sum + n, 0)],
    ['shed', byStatus[SHED_STATUS] ?? 0],
    ['limited', byStatus[LIMITED_STATUS] ?? 0],
  ];
  let found: [OverloadBehaviour, number] | undefined;
  for (const entry of counted) {
    if (entry[1] / sent >= OVERLOAD_RULE.minErrorShare && entry[1] > (found?.[1] ?? 0)) found = entry;
  }
  if (found) return found[0];
  const t = e.trend;
  const queued =
    t !== undefined &&
    t.lateP50Ms >= OVERLOAD_RULE.queuedGrowth * t.earlyP50Ms &&
    t.lateP50Ms - t.earlyP50Ms >= OVERLOAD_RULE.queuedMinRiseMs;
  return queued ? 'queued' : 'none';
}

/** The trend of one phase's per-second windows; undefined with fewer than 3 seconds that had answers. */
export function latencyTrendOf(windows: readonly { responses: number; p50Ms: number }[]): LatencyTrend | undefined {
  const answered = windows.filter((w) => w.responses > 0);
  if (answered.length < 3) return undefined;
  const third = Math.floor(answered.length / 3);
  return {
    earlyP50Ms: median(answered.slice(0, third).map((w) => w.p50Ms)),
    lateP50Ms: median(answered.slice(-third).map((w) => w.p50Ms)),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Each phase's windows from the run's series: the k-th phase of a name gets the k-th run of consecutive rows of that
 * name (a name may come back, e.g. with --trials; the rows of one phase are consecutive).
 */
export function windowsByPhase(phases: readonly PhaseReport[], series: readonly SeriesRow[]): SeriesRow[][] {
  const blocks = new Map<string, SeriesRow[][]>();
  let previous: SeriesRow | undefined;
  for (const row of series) {
    const list = blocks.get(row.phase) ?? [];
    if (previous?.phase !== row.phase) list.push([]);
    list.at(-1)!.push(row);
    blocks.set(row.phase, list);
    previous = row;
  }
  const taken = new Map<string, number>();
  return phases.map((p) => {
    const k = taken.get(p.name) ?? 0;
    taken.set(p.name, k + 1);
    return blocks.get(p.name)?.[k] ?? [];
  });
}

/**
 * One phase's behaviour from its own seconds; when they are too few to show a trend (a 3 s stress probe), its p50
 * against `referenceP50Ms`, the p50 the target showed at a lower load (the first probe's), stands for the trend.
 */
export function overloadOfPhase(
  report: PhaseReport,
  rows: readonly SeriesRow[],
  referenceP50Ms?: number,
): OverloadBehaviour {
  const own = latencyTrendOf(rows.filter((row) => row.phase === report.name).map((row) => row.window));
  const trend =
    own ?? (referenceP50Ms === undefined ? undefined : { earlyP50Ms: referenceP50Ms, lateP50Ms: report.latencyMs.p50 });
  return classifyOverload({ requests: report.requests, ...(trend ? { trend } : {}) });
}

/** The phases with their `overload` set from their counts and their series (one already set is kept). */
export function withOverload(phases: readonly PhaseReport[], series: readonly SeriesRow[]): PhaseReport[] {
  const windows = windowsByPhase(phases, series);
  return phases.map((p, i) => {
    if (p.overload !== undefined) return p;
    const trend = latencyTrendOf(windows[i]!.map((row) => row.window));
    return { ...p, overload: classifyOverload({ requests: p.requests, ...(trend ? { trend } : {}) }) };
  });
}
