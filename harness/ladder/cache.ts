// Cache: flush, run cold, run warm (same ids, same seeds): speed-up of p50 and throughput, hit rate from /metrics for each run.
import type { PhaseReport } from '../report/model.ts';
import type { CheckReport } from '../report/model.ts';
import type { ExtraKpi } from '../report/kpi-table.ts';
import type { Phase } from '../run/plan.ts';
import { EnvironmentError } from '../errors.ts';

/** Reads fall on ids 1..this; the SUT started for the bench holds them all (CACHE_MAX), so a warm run can hit every one. */
export const CACHE_ID_RANGE = 10_000;
/** A miss pays a simulated upstream (the SUT's LATENCY), which is what the cache is there to hide; --sut-env LATENCY=none removes it. */
export const CACHE_LATENCY = 'uniform:20-80';
export const CACHE_SUT_ENV = { CACHE: 'on', CACHE_MAX: String(CACHE_ID_RANGE * 2), CACHE_TTL_MS: '600000', LATENCY: CACHE_LATENCY } as const;

export interface CacheCounters {
  hits: number;
  misses: number;
}

/** Sums loadlab_cache_hits_total and _misses_total over every label set of a Prometheus text (pure). */
export function parseCacheCounters(metricsText: string): CacheCounters {
  const sum = (name: string) =>
    metricsText
      .split('\n')
      .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      .reduce((total, line) => total + Number(line.trim().split(/\s+/).pop()), 0);
  return { hits: sum('loadlab_cache_hits_total'), misses: sum('loadlab_cache_misses_total') };
}

export function hitRatePct(before: CacheCounters, after: CacheCounters): number | null {
  const hits = after.hits - before.hits;
  const total = hits + after.misses - before.misses;
  return total > 0 ? Math.round((hits / total) * 10_000) / 100 : null;
}

export async function scrapeCacheCounters(baseUrl: string): Promise<CacheCounters> {
  const res = await fetch(new URL('/metrics', baseUrl), { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new EnvironmentError(`${baseUrl}/metrics answered ${res.status}: the cache bench needs the SUT's metrics`);
  return parseCacheCounters(await res.text());
}

export async function flushCache(baseUrl: string, adminToken: string): Promise<void> {
  const res = await fetch(new URL('/admin/cache/flush', baseUrl), { method: 'POST', headers: { authorization: `Bearer ${adminToken}` }, signal: AbortSignal.timeout(5_000) });
  await res.arrayBuffer();
  if (!res.ok) throw new EnvironmentError(`POST ${baseUrl}/admin/cache/flush answered ${res.status}: start the SUT with ADMIN_TOKEN and pass it with --admin-token (or $ADMIN_TOKEN)`);
}

export function cachePhases(durationSec: number, connections: number): { cold: Phase; warm: Phase } {
  return {
    cold: { name: 'cache cold', model: 'closed', connections, durationSec, judged: true },
    warm: { name: 'cache warm', model: 'closed', connections, durationSec, judged: true },
  };
}

export interface CacheRun {
  report: PhaseReport;
  hitRatePct: number | null;
}

/** KPI rows for the cold and warm columns, the speed-ups, and the check that warm beat cold (pure). */
export function describeCache(cold: CacheRun, warm: CacheRun): { coldExtras: ExtraKpi[]; warmExtras: ExtraKpi[]; checks: CheckReport[]; notes: string[] } {
  const p50SpeedUp = warm.report.latencyMs.p50 > 0 ? cold.report.latencyMs.p50 / warm.report.latencyMs.p50 : null;
  const rpsSpeedUp = cold.report.throughputRps > 0 ? warm.report.throughputRps / cold.report.throughputRps : null;
  const round = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
  const rows = (run: CacheRun): ExtraKpi[] => [
    { metric: 'p50 latency (closed)', target: 'info', value: run.report.latencyMs.p50, unit: 'ms', status: 'pass' },
    { metric: 'Throughput', target: 'info', value: run.report.throughputRps, unit: 'req/s', status: 'pass' },
    { metric: 'Cache hit rate (from /metrics)', target: 'info', value: run.hitRatePct, unit: '%', status: run.hitRatePct === null ? 'warn' : 'pass' },
  ];
  const warmExtras = [
    ...rows(warm),
    { metric: 'p50 speed-up (cold ÷ warm)', target: { op: '>', value: 1, unit: '×' }, value: round(p50SpeedUp), unit: '×' },
    { metric: 'Throughput speed-up (warm ÷ cold)', target: { op: '>', value: 1, unit: '×' }, value: round(rpsSpeedUp), unit: '×' },
  ] satisfies ExtraKpi[];
  const warmer = warm.hitRatePct !== null && cold.hitRatePct !== null && warm.hitRatePct > cold.hitRatePct;
  return {
    coldExtras: rows(cold),
    warmExtras,
    checks: [
      {
        name: 'cache warm run hits more',
        passed: warmer,
        value: warm.hitRatePct,
        target: cold.hitRatePct === null ? null : `> ${cold.hitRatePct}`,
        detail: `hit rate cold ${cold.hitRatePct ?? 'n/a'}% → warm ${warm.hitRatePct ?? 'n/a'}%; p50 ${cold.report.latencyMs.p50} → ${warm.report.latencyMs.p50} ms (${round(p50SpeedUp) ?? 'n/a'}×); throughput ${Math.round(cold.report.throughputRps)} → ${Math.round(warm.report.throughputRps)} req/s (${round(rpsSpeedUp) ?? 'n/a'}×)`,
      },
    ],
    notes: [`Cache: a warm-up, then POST /admin/cache/flush, then two closed runs of GET /api/users/:id over ids 1..${CACHE_ID_RANGE} with the same seeds (so the warm run asks for the ids the cold run cached); p50 is the closed runs' latency at full load. When loadlab starts the SUT, a miss pays LATENCY=${CACHE_LATENCY} (a simulated upstream; --sut-env LATENCY=none to drop it). The cold run warms the cache as it goes: its hit rate says how cold it really was.`],
  };
}
