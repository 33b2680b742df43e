// Knee: a closed-model concurrency sweep 1, 2, 4, … that stops where throughput stops rising; the knee and the rule that found it.
import type { PhaseReport } from '../report/model.ts';
import type { CheckReport } from '../report/model.ts';
import type { ExtraKpi } from '../report/kpi-table.ts';
import type { Phase } from '../run/plan.ts';

export interface KneeStep {
  connections: number;
  throughputRps: number;
  p50Ms: number;
  p99Ms: number;
  /** Throughput gain over the previous step, in % (null for the first). */
  gainPct: number | null;
}

export interface KneeOptions {
  maxConnections: number;
  /** Doubling the connections must raise throughput by at least this much to count as still rising. */
  minGainPct: number;
}

export const DEFAULT_KNEE: Readonly<KneeOptions> = Object.freeze({ maxConnections: 256, minGainPct: 10 });

export function kneeRule(o: KneeOptions): string {
  return `the knee is the last concurrency whose doubling still raised throughput by ≥ ${o.minGainPct}%; the sweep doubles from 1 connection and stops at the first doubling that gains less (or at ${o.maxConnections})`;
}

/** The next concurrency to run, or undefined when the sweep is done (pure). */
export function nextConnections(steps: KneeStep[], o: KneeOptions): number | undefined {
  const last = steps[steps.length - 1];
  if (!last) return 1;
  if (last.gainPct !== null && last.gainPct < o.minGainPct) return undefined;
  return last.connections * 2 > o.maxConnections ? undefined : last.connections * 2;
}

export function toStep(report: PhaseReport, previous: KneeStep | undefined): KneeStep {
  const gainPct = previous && previous.throughputRps > 0 ? ((report.throughputRps - previous.throughputRps) / previous.throughputRps) * 100 : null;
  return { connections: report.connections!, throughputRps: report.throughputRps, p50Ms: report.latencyMs.p50, p99Ms: report.latencyMs.p99, gainPct: gainPct === null ? null : Math.round(gainPct * 10) / 10 };
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

export function describeKnee(steps: KneeStep[], o: KneeOptions): { extras: ExtraKpi[]; checks: CheckReport[]; notes: string[] } {
  const { knee, stoppedRising } = findKnee(steps, o);
  const notes = [
    `Knee rule: ${kneeRule(o)}.`,
    ...steps.map((s) => `${s.connections} connection(s): ${Math.round(s.throughputRps)} req/s${s.gainPct === null ? '' : ` (${s.gainPct >= 0 ? '+' : ''}${s.gainPct}%)`}, p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms`),
  ];
  if (!stoppedRising) notes.push(`Throughput was still rising at ${steps[steps.length - 1]?.connections} connections: the knee lies beyond the sweep.`);
  return {
    extras: [
      { metric: 'Knee (connections)', target: `gain < ${o.minGainPct}% per doubling`, value: knee?.connections ?? null, unit: '', status: stoppedRising ? 'pass' : 'warn' },
      { metric: 'Throughput at the knee', target: 'info', value: knee?.throughputRps ?? null, unit: 'req/s', status: 'pass' },
      { metric: 'p99 at the knee', target: 'info', value: knee?.p99Ms ?? null, unit: 'ms', status: 'pass' },
    ],
    checks: [{ name: 'knee', passed: knee !== undefined, value: knee?.connections ?? null, target: `gain < ${o.minGainPct}%`, detail: knee ? `knee at ${knee.connections} connection(s): ${Math.round(knee.throughputRps)} req/s, p99 ${knee.p99Ms} ms${stoppedRising ? '' : ' (still rising at the end of the sweep)'}` : 'no step ran' }],
    notes,
  };
}
