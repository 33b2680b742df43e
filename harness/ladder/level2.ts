// Level 2: production config (cluster, cache on, keep-alive above any balancer's) with rolling reloads (SIGHUP) during the open phase.
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { SutHandle } from '../env/sut.ts';
import type { PhaseReport } from '../report/model.ts';
import type { Judgment, LevelDefinition } from './run-level.ts';
import { unavailableCount } from './level.ts';

/** Steady load before the first reload, so the reloads happen under load rather than at the phase's start. */
const LEAD_MS = 1_000;
/** A reload replaces each worker one at a time; on 2 shared cores one takes a few seconds, so the open phase is at least this long. */
export const MIN_OPEN_SEC_PER_RELOAD = 10;

export interface ReloadOutcome {
  kind: 'reload' | 'kill';
  requested: number;
  done: number;
  /** Milliseconds from the open phase's start at which each reload finished. */
  finishedAtMs: number[];
  error?: string;
}

export const LEVEL2: LevelDefinition = {
  key: 'level2',
  title: 'Level 2',
  deploy: (s) => ({ workers: s.workers, needRedis: false, env: { CACHE: 'on', KEEP_ALIVE_TIMEOUT_MS: '65000' } }),
  openSec: (s) => (s.target ? s.openSec : Math.max(s.openSec, s.reloads * MIN_OPEN_SEC_PER_RELOAD + 2)),
  duringOpen: (dep, s) => (dep.suts[0] ? restartUnderLoad(dep.suts[0], s.reloads, s.chaos === 'kill' ? 'kill' : 'reload') : Promise.resolve(undefined)),
  judge: (measured, _dep, s) => judgeReload(measured.open, measured.during as ReloadOutcome | undefined, s.reloads),
};

/** Reloads (or, as the negative control, SIGKILLs the workers) `count` times in a row, one after the other. */
export async function restartUnderLoad(sut: SutHandle, count: number, kind: 'reload' | 'kill'): Promise<ReloadOutcome> {
  const t0 = performance.now();
  const outcome: ReloadOutcome = { kind, requested: count, done: 0, finishedAtMs: [] };
  await delay(LEAD_MS);
  try {
    for (let i = 0; i < count; i++) {
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

/** The reload check (pure): every reload finished inside the open phase, and not one request failed or went unanswered. */
export function judgeReload(open: PhaseReport, outcome: ReloadOutcome | undefined, requested: number): Judgment {
  if (!outcome) {
    return { notes: ['Level 2: --target deployment, so loadlab sent no SIGHUP: the reload check did not run.'], extras: [{ metric: 'Reload: failed requests', target: `= 0 (${requested} reloads)`, value: null, unit: '', status: 'warn' }] };
  }
  const r = open.requests;
  const lost = r.failed + r.inFlight;
  const inPhase = outcome.finishedAtMs.filter((ms) => ms <= open.durationSec * 1000).length;
  const availabilityPct = r.sent === 0 ? 0 : ((r.sent - unavailableCount(open) - r.inFlight) / r.sent) * 100;
  const passed = outcome.done >= requested && inPhase >= requested && lost === 0 && !outcome.error;
  const what = outcome.kind === 'reload' ? 'rolling reloads (SIGHUP)' : 'non-graceful restarts (SIGKILL of every worker)';
  const errors = [...Object.entries(r.byStatus).filter(([st]) => Number(st) >= 400), ...Object.entries(r.byError)].map(([k, v]) => `${k}×${v}`).join(' ');
  const detail =
    `${outcome.done}/${requested} ${what} finished (at ${outcome.finishedAtMs.map((ms) => `${(ms / 1000).toFixed(1)}s`).join(', ') || '—'}; ${inPhase} inside the ${open.durationSec}s open phase at ${open.targetRps} req/s); ` +
    `failed ${r.failed}${errors ? ` (${errors})` : ''}, unanswered ${r.inFlight} of ${r.sent}; availability ${availabilityPct.toFixed(3)}%` +
    (open.resetRetries ? `; ${open.resetRetries} resent once after a keep-alive reset (as a load balancer would)` : '') +
    (outcome.error ? `; error: ${outcome.error}` : '');
  return {
    notes: [`Level 2: its latency rows cover the whole open phase, the ${outcome.done} ${outcome.kind === 'reload' ? 'reloads' : 'restarts'} included (a new worker starting competes with the others for the cores).`],
    checks: [{ name: 'level2 reload', passed, value: lost, target: 0, detail }],
    extras: [
      { metric: 'Reload: failed requests', target: `= 0 (${requested} reloads)`, value: lost, unit: '', status: passed ? 'pass' : 'fail' },
      { metric: 'Reload: availability over the phase', target: { op: '>=', value: 100, unit: '%' }, value: Math.round(availabilityPct * 1000) / 1000, unit: '%', status: passed ? 'pass' : 'fail' },
    ],
  };
}
