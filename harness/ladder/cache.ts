// Cache: flush, run cold, run warm (same ids, same seeds): speed-up of p50 and throughput, hit rate from /metrics for each run.
import type { PhaseReport } from '../report/model.ts';
import type { CacheFigures, CacheRunFigures } from '../report/figures.ts';
import type { Phase } from '../run/plan.ts';
import { EnvironmentError } from '../errors.ts';

/** Reads fall on ids 1..this; the SUT started for the analysis holds them all (CACHE_MAX), so a warm run can hit every one. */
export const CACHE_ID_RANGE = 10_000;
/** A miss pays a simulated upstream (the SUT's LATENCY), which is what the cache is there to hide; --sut-env LATENCY=none removes it. */
export const CACHE_LATENCY = 'uniform:20-80';
export const CACHE_SUT_ENV = {
  CACHE: 'on',
  CACHE_MAX: String(CACHE_ID_RANGE * 2),
  CACHE_TTL_MS: '600000',
  LATENCY: CACHE_LATENCY,
} as const;

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
  if (!res.ok)
    throw new EnvironmentError(`${baseUrl}/metrics answered ${res.status}: the cache analysis needs the SUT's metrics`);
  return parseCacheCounters(await res.text());
}

export async function flushCache(baseUrl: string, adminToken: string): Promise<void> {
  const res = await fetch(new URL('/admin/cache/flush', baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}` },
    signal: AbortSignal.timeout(5_000),
  });
  await res.arrayBuffer();
  if (!res.ok)
    throw new EnvironmentError(
      `POST ${baseUrl}/admin/cache/flush answered ${res.status}: start the SUT with ADMIN_TOKEN and pass it with --admin-token (or $ADMIN_TOKEN)`,
    );
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

/** How the cache analysis ran, for the method line. */
export type CacheSetup = Pick<CacheFigures, 'deployment' | 'workersGiven' | 'runSec' | 'connections'>;

/** The speed-ups of p50 and throughput, and whether the warm run hit the cache more than the cold one (pure). */
export function judgeCache(cold: CacheRun, warm: CacheRun, setup: CacheSetup): CacheFigures {
  const p50SpeedUp = warm.report.latencyMs.p50 > 0 ? cold.report.latencyMs.p50 / warm.report.latencyMs.p50 : null;
  const rpsSpeedUp = cold.report.throughputRps > 0 ? warm.report.throughputRps / cold.report.throughputRps : null;
  const warmer = warm.hitRatePct !== null && cold.hitRatePct !== null && warm.hitRatePct > cold.hitRatePct;
  return {
    kind: 'cache',
    ...setup,
    idRange: CACHE_ID_RANGE,
    missLatency: CACHE_LATENCY,
    cold: runFigures(cold),
    warm: runFigures(warm),
    p50SpeedUp: round2(p50SpeedUp),
    rpsSpeedUp: round2(rpsSpeedUp),
    speedUpTarget: 1,
    verdict: { name: 'cache warm run hits more', passed: warmer, value: warm.hitRatePct, target: cold.hitRatePct },
  };
}

function runFigures(run: CacheRun): CacheRunFigures {
  return { p50Ms: run.report.latencyMs.p50, throughputRps: run.report.throughputRps, hitRatePct: run.hitRatePct };
}

function round2(value: number | null): number | null {
  return value === null ? null : Math.round(value * 100) / 100;
}
