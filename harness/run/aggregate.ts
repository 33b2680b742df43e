// Merges the judged phases into one view for thresholds and the summary: histograms merge exactly, counts add (pure).
import { LatencyHistogram, mergeHistograms, round3, type LatencySummaryMs } from '../engine/histogram.ts';
import type { PhaseResult } from '../engine/phase-result.ts';

export interface Figures {
  latencyMs: LatencySummaryMs;
  errorRate: number;
  throughputRps: number;
  requests: number;
}

export interface AggregateView {
  overall: Figures;
  endpoints: Map<string, Figures>;
}

export function aggregatePhases(results: PhaseResult[]): AggregateView {
  const judged = results.filter((r) => r.report.judged);
  const durationSec = judged.reduce((sum, r) => sum + (r.report.model === 'open' ? r.report.durationSec : r.report.elapsedSec), 0);
  let completed = 0;
  let failed = 0;
  for (const r of judged) {
    completed += r.report.requests.completed;
    failed += r.report.requests.failed;
  }
  const overall = figures(mergeHistograms(judged.map((r) => r.histogram)), completed, failed, durationSec);
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
