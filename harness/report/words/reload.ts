// Level 2 in words: the reload rows, the reload check's detail, and the note on what its latency rows include.
import type { ReloadDoneFigures, ReloadFigures } from '../figures.ts';
import { wordCheck, type Worded } from './worded.ts';

const FAILED_ROW = 'Reload: failed requests';

export function wordReload(f: ReloadFigures): Worded {
  const failedTarget = `= 0 (${f.requested} reloads)`;
  if (f.method === 'none') {
    return {
      extras: [{ metric: FAILED_ROW, target: failedTarget, value: null, unit: '', status: 'warn' }],
      checks: [],
      notes: ['Level 2: --target deployment, so loadlab sent no SIGHUP: the reload check did not run.'],
    };
  }
  const status = f.verdict.passed ? 'pass' : 'fail';
  const restarts = f.method === 'reload' ? 'reloads' : 'restarts';
  const reloadSec = f.finishedAtMs.map((end, i) => (end - (f.startedAtMs[i] ?? end)) / 1000);
  return {
    extras: [
      {
        metric: `p99 during ${restarts}`,
        target: { op: '<=', value: f.p99DuringTargetMs, unit: 'ms' },
        value: f.p99DuringReloadsMs,
        unit: 'ms',
        status: f.duringVerdict.passed ? 'pass' : 'fail',
      },
      { metric: `p99 outside ${restarts}`, target: 'info', value: f.p99OutsideReloadsMs, unit: 'ms' },
      {
        metric: `Longest of the ${restarts} (start to done)`,
        target: 'info',
        value: reloadSec.length > 0 ? Math.round(Math.max(...reloadSec) * 10) / 10 : null,
        unit: 's',
      },
      { metric: FAILED_ROW, target: failedTarget, value: f.lost, unit: '', status },
      {
        metric: 'Reload: availability over the phase',
        target: { op: '>=', value: 100, unit: '%' },
        value: Math.round(f.availabilityPct * 1000) / 1000,
        unit: '%',
        status,
      },
    ],
    checks: [
      wordCheck(f.verdict, f.verdict.target, reloadDetail(f)),
      wordCheck(f.duringVerdict, f.duringVerdict.target, duringDetail(f, reloadSec)),
    ],
    notes: [
      `Level 2: its latency rows cover the whole open phase, the ${f.done} ${restarts} included ` +
        '(a new worker starting competes with the others for the cores).',
    ],
  };
}

/** e.g. "p99 412 ms inside the reload windows (7 s: each SIGHUP to 1 s after it finished; reloads took 2.1 s, 2.4 s), 38 ms outside". */
export function duringDetail(f: ReloadDoneFigures, reloadSec: number[]): string {
  const ms = (v: number | null): string => (v === null ? 'n/a (no answer)' : `${v} ms`);
  const took = reloadSec.map((s) => `${s.toFixed(1)} s`).join(', ') || '—';
  return (
    `p99 ${ms(f.p99DuringReloadsMs)} inside the reload windows (${f.reloadWindowSec} s of the open phase: each ` +
    `SIGHUP to 1 s after it finished; they took ${took}), ${ms(f.p99OutsideReloadsMs)} outside; ` +
    `target ≤ ${f.p99DuringTargetMs} ms`
  );
}

/** e.g. "2/2 rolling reloads (SIGHUP) finished (at 3.1s, 7.4s; 2 inside the 10s open phase at 500 req/s); …". */
export function reloadDetail(f: ReloadDoneFigures): string {
  const what = f.method === 'reload' ? 'rolling reloads (SIGHUP)' : 'non-graceful restarts (SIGKILL of every worker)';
  const at = f.finishedAtMs.map((ms) => `${(ms / 1000).toFixed(1)}s`).join(', ') || '—';
  const errors = Object.entries(f.errorsByKind)
    .map(([kind, count]) => `${kind}×${count}`)
    .join(' ');
  return (
    `${f.done}/${f.requested} ${what} finished (at ${at}; ${f.inPhase} inside the ${f.openDurationSec}s open phase ` +
    `at ${f.targetRps} req/s); failed ${f.failed}${errors ? ` (${errors})` : ''}, ` +
    `unanswered ${f.inFlight} of ${f.sent}; ` +
    `availability ${f.availabilityPct.toFixed(3)}%` +
    (f.resetRetries ? `; ${f.resetRetries} resent once after a keep-alive reset (as a load balancer would)` : '') +
    (f.error ? `; error: ${f.error}` : '')
  );
}
