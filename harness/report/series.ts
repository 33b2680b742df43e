// Renders the per-second series as CSV (pure).
import type { SeriesRow } from './model.ts';

const HEADER = [
  'second',
  'phase',
  'rps',
  'p50_ms',
  'p99_ms',
  'errors',
  'generator_cpu_pct',
  'event_loop_p99_ms',
  'sut_cpu_pct',
  'sut_rss_mb',
  'ready_status',
];

export function renderSeriesCsv(rows: SeriesRow[]): string {
  const lines = rows.map((r) =>
    [
      r.second,
      csvField(r.phase),
      r.window.responses,
      r.window.p50Ms,
      r.window.p99Ms,
      r.window.errors,
      r.sample.generatorCpuPct,
      r.sample.eventLoopP99Ms,
      r.sample.sutCpuPct ?? '',
      r.sample.sutRssMb ?? '',
      r.sample.readyStatus ?? '',
    ].join(','),
  );
  return [HEADER.join(','), ...lines].join('\n') + '\n';
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
