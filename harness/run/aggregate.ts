// Merges the judged phases into one view for thresholds and the summary: histograms merge exactly, counts add (pure).
import { LatencyHistogram, mergeHistograms, round3, type LatencySummaryMs } from '../engine/histogram.ts';
import type { PhaseResult } from '../engine/phase-result.ts';
import type { PhaseReport } from '../report/model.ts';

export interface Figures {
  latencyMs: LatencySummaryMs;
  /** A fraction of the answered requests. */
  errorRate: number;
  throughputRps: number;
  requests: number;
  /** A fraction; overall only, as endpoints do not keep their failures by status. */
  availability?: number;
}

export interface AggregateView {
  overall: Figures;
  endpoints: Map<string, Figures>;
}

export function aggregatePhases(results: PhaseResult[]): AggregateView {
  const judged = results.filter((r) => r.report.judged);
  const durationSec = judged.reduce(
    (sum, r) => sum + (r.report.model === 'open' ? r.report.durationSec : r.report.elapsedSec),
    0,
  );
  let completed = 0;
  let failed = 0;
  for (const r of judged) {
    completed += r.report.requests.completed;
    failed += r.report.requests.failed;
  }
  const overall = {
    ...figures(mergeHistograms(judged.map((r) => r.histogram)), completed, failed, durationSec),
    availability: availabilityOf(judged.map((r) => r.report)),
  };
  const endpoints = new Map<string, Figures>();
  const names = new Set(judged.flatMap((r) => r.report.endpoints.map((e) => e.name)));
  for (const name of names) {
    const histograms = judged.flatMap((r) => {
      const h = r.endpointHistograms.get(name);
      return h ? [h] : [];
    });
    const reports = judged.flatMap((r) => r.report.endpoints.filter((e) => e.name === name));
    const total = reports.reduce((sum, e) => sum + e.requests, 0);
    const bad = reports.reduce((sum, e) => sum + e.failed, 0);
    endpoints.set(name, figures(mergeHistograms(histograms), total - bad, bad, durationSec));
  }
  return { overall, endpoints };
}

function figures(histogram: LatencyHistogram, completed: number, failed: number, durationSec: number): Figures {
  const answered = completed + failed;
  return {
    latencyMs: histogram.summarizeMs(),
    errorRate: answered === 0 ? 0 : failed / answered,
    throughputRps: durationSec > 0 ? round3(completed / durationSec) : 0,
    requests: answered,
  };
}

/**
 * What the server failed to serve (5xx, resets, refusals, timeouts, and requests an open phase still held at its
 * end, answered or not yet written) over what it was asked, as the ladder counts it; 4xx answers were served, so they lower only the error
 * rate. A closed phase's requests in flight at its end are the generator stopping, not the server's doing.
 */
export function availabilityOf(phases: PhaseReport[]): number {
  let served = 0;
  let unavailable = 0;
  for (const p of phases) {
    const held = p.model === 'open' ? p.requests.inFlight + (p.unsent ?? 0) : 0;
    served += p.requests.completed + p.requests.failed + held;
    unavailable += unavailableCount(p) + held;
  }
  return served === 0 ? 0 : (served - unavailable) / served;
}

/** Answers the server failed to give in one phase: 5xx statuses and transport errors (resets, refusals, timeouts). */
export function unavailableCount(p: PhaseReport): number {
  const fiveXx = Object.entries(p.requests.byStatus).filter(([status]) => Number(status) >= 500);
  const errors = Object.values(p.requests.byError);
  return [...fiveXx.map(([, count]) => count), ...errors].reduce((n, count) => n + count, 0);
}
