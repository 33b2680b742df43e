// Knee: a closed-model concurrency sweep 1, 2, 4, … that stops where throughput stops rising; the knee and the rule that found it.
import type { PhaseReport } from '../report/model.ts';
import type { KneeFigures, KneeOptions, KneeStep } from '../report/figures.ts';
import type { Phase } from '../run/plan.ts';

export type { KneeOptions, KneeStep } from '../report/figures.ts';

export const DEFAULT_KNEE: Readonly<KneeOptions> = Object.freeze({ maxConnections: 256, minGainPct: 10 });

/** The next concurrency to run, or undefined when the sweep is done (pure). */
export function nextConnections(steps: KneeStep[], o: KneeOptions): number | undefined {
  const last = steps[steps.length - 1];
  if (!last) return 1;
  if (last.gainPct !== null && last.gainPct < o.minGainPct) return undefined;
  return last.connections * 2 > o.maxConnections ? undefined : last.connections * 2;
}

export function toStep(report: PhaseReport, previous: KneeStep | undefined): KneeStep {
  const gainPct =
    previous && previous.throughputRps > 0
      ? ((report.throughputRps - previous.throughputRps) / previous.throughputRps) * 100
      : null;
  return {
    connections: report.connections!,
    throughputRps: report.throughputRps,
    p50Ms: report.latencyMs.p50,
    p99Ms: report.latencyMs.p99,
    gainPct: gainPct === null ? null : Math.round(gainPct * 10) / 10,
  };
}

/** The knee (pure): the step before the first that gained less than the rule asks; the last step if throughput never stopped rising. */
export function findKnee(steps: KneeStep[], o: KneeOptions): { knee: KneeStep | undefined; stoppedRising: boolean } {
  const flat = steps.findIndex((s) => s.gainPct !== null && s.gainPct < o.minGainPct);
  if (flat > 0) return { knee: steps[flat - 1], stoppedRising: true };
  return { knee: steps[steps.length - 1], stoppedRising: false };
}

export function sweepPhase(connections: number, durationSec: number): Phase {
  return { name: `knee ${connections} conn`, model: 'closed', connections, durationSec, judged: true };
}

/** How the sweep ran, for the method line. */
export type KneeSetup = Pick<KneeFigures, 'deployment' | 'path' | 'stepSec'>;

/** The knee of a finished sweep and the check that one was found (pure). */
export function judgeKnee(steps: KneeStep[], o: KneeOptions, setup: KneeSetup): KneeFigures {
  const { knee, stoppedRising } = findKnee(steps, o);
  return {
    kind: 'knee',
    ...setup,
    rule: o,
    steps,
    knee: knee ?? null,
    stoppedRising,
    verdict: { name: 'knee', passed: knee !== undefined, value: knee?.connections ?? null, target: o.minGainPct },
  };
}
