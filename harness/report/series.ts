// Renders the per-second series as CSV (pure). The first columns are always there; the machine's CPU, the SUT's
// /metrics figures, each group's sums and each process's own series (by pid) follow when some row has them, so a
// figure the run did not collect is an absent column, and a second without it an empty cell, never a zero.
import type { MonitorSample, SeriesRow } from './model.ts';

interface Column {
  header: string;
  value(row: SeriesRow): number | string | undefined;
}

const sample = (header: string, key: keyof MonitorSample): Column => ({
  header,
  value: (r) => r.sample[key] as number | string | undefined,
});

const BASE: Column[] = [
  { header: 'second', value: (r) => r.second },
  { header: 'phase', value: (r) => csvField(r.phase) },
  { header: 'rps', value: (r) => r.window.responses },
  { header: 'p50_ms', value: (r) => r.window.p50Ms },
  { header: 'p99_ms', value: (r) => r.window.p99Ms },
  { header: 'errors', value: (r) => r.window.errors },
  sample('generator_cpu_pct', 'generatorCpuPct'),
  sample('event_loop_p99_ms', 'eventLoopP99Ms'),
  sample('sut_cpu_pct', 'sutCpuPct'),
  sample('sut_rss_mb', 'sutRssMb'),
  sample('ready_status', 'readyStatus'),
];

/** Named sut_… so they do not clash with Level 3's own queue_waiting and queue_active columns. */
const OPTIONAL: Column[] = [
  sample('machine_cpu_pct', 'machineCpuPct'),
  sample('sut_event_loop_p99_ms', 'sutEventLoopP99Ms'),
  sample('sut_in_flight', 'sutInFlight'),
  sample('sut_db_pool_total', 'dbPoolTotal'),
  sample('sut_db_pool_idle', 'dbPoolIdle'),
  sample('sut_db_pool_waiting', 'dbPoolWaiting'),
  sample('sut_cache_hit_pct', 'cacheHitPct'),
  sample('sut_queue_waiting', 'queueWaiting'),
  sample('sut_queue_active', 'queueActive'),
  sample('sut_queue_delayed', 'queueDelayed'),
  sample('monitor_ms', 'monitorMs'),
];

/** Each group's sums besides the SUT's (sut_cpu_pct) and the generator's CPU (generator_cpu_pct). */
function groupColumns(rows: SeriesRow[]): Column[] {
  const groups = unique(rows.flatMap((r) => Object.keys(r.sample.groups ?? {})));
  return groups.flatMap((g) => [
    ...(g === 'sut' || g === 'generator' ? [] : [{ header: `${g}_cpu_pct`, value: groupValue(g, 'cpuPct') }]),
    ...(g === 'sut' ? [] : [{ header: `${g}_rss_mb`, value: groupValue(g, 'rssMb') }]),
  ]);
}

function groupValue(group: string, key: 'cpuPct' | 'rssMb'): Column['value'] {
  return (r) => r.sample.groups?.[group]?.[key];
}

/**
 * cpu_pct[<name>] and rss_mb[<name>] per process, in order of first appearance: a replaced worker's column ends
 * and its successor's begins. Threads get a CPU column only when they used CPU in some second.
 */
function processColumns(rows: SeriesRow[]): Column[] {
  const seen = new Map<string, { thread: boolean; busy: boolean }>();
  for (const r of rows)
    for (const p of r.sample.processes ?? []) {
      const entry = seen.get(p.name) ?? { thread: p.thread === true, busy: false };
      entry.busy ||= (p.cpuPct ?? 0) > 0;
      seen.set(p.name, entry);
    }
  const find = (r: SeriesRow, name: string) => r.sample.processes?.find((p) => p.name === name);
  return [...seen].flatMap(([name, { thread, busy }]) => {
    if (thread && !busy) return [];
    const cpu: Column = { header: `cpu_pct[${name}]`, value: (r) => find(r, name)?.cpuPct };
    return thread ? [cpu] : [cpu, { header: `rss_mb[${name}]`, value: (r) => find(r, name)?.rssMb }];
  });
}

export function renderSeriesCsv(rows: SeriesRow[]): string {
  const columns = [
    ...BASE,
    ...OPTIONAL.filter((c) => rows.some((r) => c.value(r) !== undefined)),
    ...groupColumns(rows),
    ...processColumns(rows),
  ];
  const lines = rows.map((r) => columns.map((c) => c.value(r) ?? '').join(','));
  return [columns.map((c) => csvField(c.header)).join(','), ...lines].join('\n') + '\n';
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
