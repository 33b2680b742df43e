// Stress: a search over the open model's arrival rate for the highest rate that meets the SLO; every probe is listed.
import type { PhaseResult } from '../engine/phase-result.ts';
import type { PhaseReport } from '../report/model.ts';
import type { Probe, SearchOptions, Slo, StressFigures } from '../report/figures.ts';
import type { Phase } from '../run/plan.ts';
import { classifyOverload } from '../report/overload.ts';

export type { Probe, SearchOptions, Slo } from '../report/figures.ts';

export const DEFAULT_SLO: Readonly<Slo> = Object.freeze({ errorRatePct: 1, p99Ms: 500 });

export interface StressResult {
  /** The highest probed rate that met the SLO (0: none did). */
  maxSustainableRps: number;
  /** The lowest probed rate that missed it (null: none did up to maxRps). */
  breakdownRps: number | null;
  probes: Probe[];
}

/**
 * The next rate to probe, or undefined when the search is done (pure).
 * Rule: double from startRps until a probe fails; halve from it while the first probes fail; then bisect
 * between the highest passing and the lowest failing rate until they are within `precision`.
 */
export function nextProbeRate(probes: Probe[], o: SearchOptions): number | undefined {
  if (probes.length === 0) return o.startRps;
  const { maxSustainableRps: lo, breakdownRps: hi } = bracket(probes);
  if (hi === null) return lo >= o.maxRps ? undefined : Math.min(o.maxRps, lo * 2);
  if (lo === 0) return hi / 2 < o.minRps ? undefined : Math.round(hi / 2);
  if ((hi - lo) / hi <= o.precision) return undefined;
  const mid = Math.round((lo + hi) / 2);
  return mid === lo || mid === hi ? undefined : mid;
}

/** Highest passing rate and the lowest failing rate above it (pure). */
export function bracket(probes: Probe[]): StressResult {
  const lo = Math.max(0, ...probes.filter((p) => p.passed).map((p) => p.rateRps));
  const failing = probes.filter((p) => !p.passed && p.rateRps > lo).map((p) => p.rateRps);
  return { maxSustainableRps: lo, breakdownRps: failing.length ? Math.min(...failing) : null, probes };
}

export function judgeProbe(report: PhaseReport, slo: Slo): Probe {
  const r = report.requests;
  const answered = r.completed + r.failed + r.inFlight;
  const errorRatePct = answered === 0 ? 100 : ((r.failed + r.inFlight) / answered) * 100;
  const p99Ms = report.latencyMs.p99;
  return {
    rateRps: report.targetRps!,
    errorRatePct: Math.round(errorRatePct * 1000) / 1000,
    p99Ms,
    achievedRps: report.achievedRps ?? 0,
    passed: errorRatePct <= slo.errorRatePct && p99Ms <= slo.p99Ms && r.completed > 0,
    generatorSaturated: report.generatorSaturated,
    overload: report.overload ?? classifyOverload({ requests: r }),
  };
}

export function probePhase(rateRps: number, durationSec: number): Phase {
  return { name: `stress ${rateRps} req/s`, model: 'open', targetRps: rateRps, durationSec, judged: true };
}

/** Runs the search with `probe` doing the I/O (one open phase per call). */
export async function searchRate(
  probe: (rateRps: number) => Promise<PhaseResult>,
  slo: Slo,
  o: SearchOptions,
  maxProbes = 20,
): Promise<{ result: StressResult; phases: PhaseResult[] }> {
  const probes: Probe[] = [];
  const phases: PhaseResult[] = [];
  for (
    let rate = nextProbeRate(probes, o);
    rate !== undefined && probes.length < maxProbes;
    rate = nextProbeRate(probes, o)
  ) {
    const phase = await probe(rate);
    phases.push(phase);
    probes.push(judgeProbe(phase.report, slo));
  }
  return { result: bracket(probes), phases };
}

/** How the search ran, for the method line. */
export type StressSetup = Pick<StressFigures, 'deployment' | 'path' | 'probeSec' | 'cooldownSec' | 'capacitySec'>;

/** The search's outcome and the check that some probed rate met the SLO (pure). */
export function judgeStress(result: StressResult, slo: Slo, o: SearchOptions, setup: StressSetup): StressFigures {
  const found = result.maxSustainableRps > 0;
  const breakdown = result.probes.find((p) => p.rateRps === result.breakdownRps);
  return {
    kind: 'stress',
    ...setup,
    slo,
    search: o,
    ...result,
    beyondCapacity: breakdown?.overload ?? null,
    verdict: { name: 'stress', passed: found, value: result.maxSustainableRps, target: null },
  };
}
