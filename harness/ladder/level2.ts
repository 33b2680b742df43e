// Level 2: production config (cluster, cache on, keep-alive above any balancer's) with rolling reloads (SIGHUP) during the open phase.
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { SutHandle } from '../env/sut.ts';
import { LatencyHistogram, round3 } from '../engine/histogram.ts';
import type { PhaseReport, SeriesRow } from '../report/model.ts';
import type { ReloadFigures } from '../report/figures.ts';
import type { LevelDefinition } from './run-level.ts';
import { unavailableCount } from '../run/aggregate.ts';

/** Steady load before the first reload, so the reloads happen under load rather than at the phase's start. */
const LEAD_MS = 1_000;
/** The p99 a reload window may have: a reload must not stall the answers around it. */
export const P99_DURING_RELOADS_TARGET_MS = 500;
/** A reload window runs from the SIGHUP to this long after the reload finished: answers that waited through it land there. */
const WINDOW_TAIL_MS = 1_000;

/** A reload replaces each worker one at a time; on 2 shared cores one takes a few seconds, so the open phase is at least this long. */
export const MIN_OPEN_SEC_PER_RELOAD = 10;

export interface ReloadOutcome {
  kind: 'reload' | 'kill';
  requested: number;
  done: number;
  /** Milliseconds from the open phase's start at which each reload began and finished. */
  startedAtMs: number[];
  finishedAtMs: number[];
  error?: string;
}

export const LEVEL2: LevelDefinition = {
  key: 'level2',
  deploy: (s) => ({ workers: s.workers, needRedis: false, env: { CACHE: 'on', KEEP_ALIVE_TIMEOUT_MS: '65000' } }),
  openSec: (s) => (s.target ? s.openSec : Math.max(s.openSec, s.reloads * MIN_OPEN_SEC_PER_RELOAD + 2)),
  prepare: (dep, s) => ({
    duringOpen: () =>
      dep.suts[0]
        ? restartUnderLoad(dep.suts[0], s.reloads, s.chaos === 'kill' ? 'kill' : 'reload')
        : Promise.resolve(undefined),
  }),
  judge: (measured, _dep, s, ctx) =>
    judgeReload(
      measured.open,
      measured.during as ReloadOutcome | undefined,
      s.reloads,
      ctx.series.filter((row) => row.phase === measured.open.name),
    ),
};

/** Reloads (or, as the negative control, SIGKILLs the workers) `count` times in a row, one after the other. */
export async function restartUnderLoad(sut: SutHandle, count: number, kind: 'reload' | 'kill'): Promise<ReloadOutcome> {
  const t0 = performance.now();
  const outcome: ReloadOutcome = { kind, requested: count, done: 0, startedAtMs: [], finishedAtMs: [] };
  await delay(LEAD_MS);
  try {
    for (let i = 0; i < count; i++) {
      outcome.startedAtMs.push(Math.round(performance.now() - t0));
      if (kind === 'reload') await sut.reload();
      else await killAndWaitForReplacements(sut);
      outcome.done += 1;
      outcome.finishedAtMs.push(Math.round(performance.now() - t0));
    }
  } catch (error) {
    outcome.error = (error as Error).message;
  }
  return outcome;
}

/** The non-graceful control: SIGKILL every worker, then wait until the primary has replaced them all. */
async function killAndWaitForReplacements(sut: SutHandle): Promise<void> {
  const before = sut.workerPids();
  sut.killWorkers('SIGKILL');
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    const now = sut.workerPids();
    if (now.length >= before.length && now.every((pid) => !before.includes(pid))) return;
    await delay(100); // polling the process table: there is no event for "the primary forked a replacement"
  }
  throw new Error('the killed workers were not replaced within 30 s');
}

/**
 * The open phase's per-second latency windows split into those inside a reload window (from each SIGHUP to
 * WINDOW_TAIL_MS after it finished, in whole seconds of the phase) and the rest, each side merged exactly.
 */
export function splitByReloads(
  rows: SeriesRow[],
  startedAtMs: number[],
  finishedAtMs: number[],
): { inside: LatencyHistogram; outside: LatencyHistogram; insideSec: number } {
  const insideSeconds = new Set<number>();
  startedAtMs.forEach((start, i) => {
    const end = (finishedAtMs[i] ?? start) + WINDOW_TAIL_MS;
    for (let sec = Math.floor(start / 1000); sec < Math.ceil(end / 1000); sec++) insideSeconds.add(sec);
  });
  const inside = new LatencyHistogram();
  const outside = new LatencyHistogram();
  rows.forEach((row, sec) => {
    if (!row.window.histogram) return;
    (insideSeconds.has(sec) ? inside : outside).merge(LatencyHistogram.decode(row.window.histogram));
  });
  return { inside, outside, insideSec: [...insideSeconds].filter((sec) => sec < rows.length).length };
}

/**
 * The reload check (pure): every reload finished inside the open phase, not one request failed or went
 * unanswered; and, judged apart, the p99 of the answers inside the reload windows.
 */
export function judgeReload(
  open: PhaseReport,
  outcome: ReloadOutcome | undefined,
  requested: number,
  rows: SeriesRow[] = [],
): ReloadFigures {
  if (!outcome) return { kind: 'reload', method: 'none', requested };
  const r = open.requests;
  const lost = r.failed + r.inFlight;
  const windows = splitByReloads(rows, outcome.startedAtMs, outcome.finishedAtMs);
  const inPhase = outcome.finishedAtMs.filter((ms) => ms <= open.durationSec * 1000).length;
  const unavailable = unavailableCount(open);
  const availabilityPct = r.sent === 0 ? 0 : ((r.sent - unavailable - r.inFlight) / r.sent) * 100;
  const passed = outcome.done >= requested && inPhase >= requested && lost === 0 && !outcome.error;
  const errorsByKind = Object.fromEntries([
    ...Object.entries(r.byStatus).filter(([st]) => Number(st) >= 400),
    ...Object.entries(r.byError),
  ]);
  return {
    kind: 'reload',
    method: outcome.kind,
    requested,
    done: outcome.done,
    finishedAtMs: outcome.finishedAtMs,
    startedAtMs: outcome.startedAtMs,
    p99DuringReloadsMs: windows.inside.count > 0 ? round3(windows.inside.percentileMs(99)) : null,
    p99OutsideReloadsMs: windows.outside.count > 0 ? round3(windows.outside.percentileMs(99)) : null,
    reloadWindowSec: windows.insideSec,
    p99DuringTargetMs: P99_DURING_RELOADS_TARGET_MS,
    duringVerdict: {
      name: 'level2 p99 during reloads',
      // A reload that never finished (a SUT that died) leaves no answers to be slow: nothing to pass on.
      passed:
        outcome.done >= requested &&
        windows.inside.count > 0 &&
        windows.inside.percentileMs(99) <= P99_DURING_RELOADS_TARGET_MS,
      value: windows.inside.count > 0 ? round3(windows.inside.percentileMs(99)) : null,
      target: P99_DURING_RELOADS_TARGET_MS,
    },
    inPhase,
    openDurationSec: open.durationSec,
    targetRps: open.targetRps ?? 0,
    sent: r.sent,
    failed: r.failed,
    inFlight: r.inFlight,
    lost,
    unavailable,
    availabilityPct,
    resetRetries: open.resetRetries ?? 0,
    errorsByKind,
    ...(outcome.error ? { error: outcome.error } : {}),
    verdict: { name: 'level2 reload', passed, value: lost, target: 0 },
  };
}
