// Cache: flush, run cold, run warm (same ids, same seeds): speed-up of p50 and throughput, hit rate from /metrics for each run,
// and whether the cold run started cold (its first second's hit rate, from /metrics, against what a cold cache shows).
import { setTimeout as delay } from 'node:timers/promises';
import type { PhaseReport } from '../report/model.ts';
import type { CacheColdStartFigures, CacheFigures, CacheRunFigures } from '../report/figures.ts';
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

/** Cache reads (hits and misses) the SUT counted between two scrapes. */
export function readsBetween(before: CacheCounters, after: CacheCounters): number {
  return after.hits - before.hits + after.misses - before.misses;
}

/** The cold run's first second: how long after its start the cold-start scrape is taken. */
export const COLD_START_WINDOW_MS = 1000;

/**
 * The highest hit rate, in %, a cache that was empty shows over `reads` uniform reads of ids 1..idRange: the hits
 * the reads' own repeated ids make in one cache (expected; split over several workers' caches they make fewer),
 * plus three standard deviations and one read (pure). null without reads.
 */
export function coldHitBoundPct(reads: number, idRange: number): number | null {
  if (reads <= 0) return null;
  const expectedHits = reads - idRange * (1 - (1 - 1 / idRange) ** reads);
  const boundHits = expectedHits + 3 * Math.sqrt(expectedHits) + 1;
  return Math.min(100, Math.round((boundHits / reads) * 10_000) / 100);
}

export async function scrapeCacheCounters(baseUrl: string): Promise<CacheCounters> {
  const res = await fetch(new URL('/metrics', baseUrl), { signal: AbortSignal.timeout(5_000) });
  if (!res.ok)
    throw new EnvironmentError(`${baseUrl}/metrics answered ${res.status}: the cache analysis needs the SUT's metrics`);
  return parseCacheCounters(await res.text());
}

/** The counters `delayMs` from now; null when /metrics did not answer (it runs beside a phase: it never rejects). */
export async function scrapeCacheCountersAfter(baseUrl: string, delayMs: number): Promise<CacheCounters | null> {
  await delay(delayMs);
  return scrapeCacheCounters(baseUrl).catch(() => null);
}

/** What the SUT said it flushed; null fields: it did not say (a SUT from before the flush reached every worker). */
export interface FlushAnswer {
  workersFlushed: number | null;
  complete: boolean | null;
}

/** Reads the flush route's answer (pure). */
export function parseFlushAnswer(body: unknown): FlushAnswer {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return {
    workersFlushed: typeof b.workersFlushed === 'number' ? b.workersFlushed : null,
    complete: typeof b.complete === 'boolean' ? b.complete : null,
  };
}

/** Empties the cache of every worker of the node behind `baseUrl` (one node: through a load balancer, the one it picks). */
export async function flushCache(baseUrl: string, adminToken: string): Promise<FlushAnswer> {
  const res = await fetch(new URL('/admin/cache/flush', baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}` },
    signal: AbortSignal.timeout(5_000),
  });
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok)
    throw new EnvironmentError(
      `POST ${baseUrl}/admin/cache/flush answered ${res.status}: start the SUT with ADMIN_TOKEN and pass it with --admin-token (or $ADMIN_TOKEN)`,
    );
  return parseFlushAnswer(body);
}

export interface ColdStartInput {
  windowSec: number;
  /** /metrics just before the cold run, and `windowSec` into it (null: that scrape failed). */
  before: CacheCounters;
  after: CacheCounters | null;
  flush: FlushAnswer;
  /** Workers loadlab started (null: --target, unknown). */
  workersStarted: number | null;
}

/**
 * Did the cold run start cold? Its first second hit no more than a cold cache would from that second's own
 * repeated ids, and the flush before it emptied every worker it knows of (pure).
 */
export function judgeColdStart(input: ColdStartInput): CacheColdStartFigures {
  const { before, after, flush, workersStarted } = input;
  const reads = after ? readsBetween(before, after) : 0;
  const hitPct = after ? hitRatePct(before, after) : null;
  const boundPct = coldHitBoundPct(reads, CACHE_ID_RANGE);
  const flushedAll =
    flush.complete !== false &&
    (workersStarted === null || flush.workersFlushed === null || flush.workersFlushed >= workersStarted);
  const passed = flushedAll && hitPct !== null && boundPct !== null && hitPct <= boundPct;
  return {
    windowSec: input.windowSec,
    reads,
    hitRatePct: hitPct,
    boundPct,
    workersFlushed: flush.workersFlushed,
    flushComplete: flush.complete,
    workersStarted,
    verdict: { name: 'cache cold run starts cold', passed, value: hitPct, target: boundPct },
  };
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
export function judgeCache(
  cold: CacheRun,
  warm: CacheRun,
  setup: CacheSetup,
  coldStart: CacheColdStartFigures,
): CacheFigures {
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
    coldStart,
  };
}

function runFigures(run: CacheRun): CacheRunFigures {
  return { p50Ms: run.report.latencyMs.p50, throughputRps: run.report.throughputRps, hitRatePct: run.hitRatePct };
}

function round2(value: number | null): number | null {
  return value === null ? null : Math.round(value * 100) / 100;
}
