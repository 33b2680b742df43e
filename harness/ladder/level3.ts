// Level 3: background jobs on Redis — enqueue rate, processing rate, queue depth per second, and API latency while the jobs run.
import { performance } from 'node:perf_hooks';
import { EXIT, LoadlabError } from '../errors.ts';
import { Monitor } from '../monitor/monitor.ts';
import { createProgress } from '../report/progress.ts';
import { verifyScenario } from '../run/verify.ts';
import { runPhase } from '../engine/run-phases.ts';
import { runOpen } from '../engine/open.ts';
import type { ExtraKpi } from '../report/kpi-table.ts';
import type { PhaseReport } from '../report/model.ts';
import { startDeployment } from '../env/deploy.ts';
import { planClosedPhases, planOpenPhase, summarizeCore, type LevelRun } from './level.ts';
import type { LevelContext, LevelDefinition } from './run-level.ts';
import type { LevelSettings } from '../run/ladder-config.ts';
import { createEnqueueLoad, createStandardMix, loginOnce } from '../scenario/standard-mix.ts';
import { backlogOf, processingRate, startQueueSampler, type QueueDepth } from './queue.ts';

export const ENQUEUE_TARGET_RPS = 1000;

export const LEVEL3: LevelDefinition = {
  key: 'level3',
  title: 'Level 3',
  deploy: (s) => ({ workers: s.workers, needRedis: true, env: { CACHE: 'on' } }),
  run: runLevel3,
};

/** warm-up → throughput (standard mix) → enqueue (POST /api/tasks, closed) → latency (standard mix, open) while the backlog is processed. */
async function runLevel3(s: LevelSettings, ctx: LevelContext): Promise<LevelRun> {
  const dep = await startDeployment(s, LEVEL3.deploy(s));
  ctx.io.stderr.write(`level3: ${dep.description} at ${dep.url}${dep.sutPids.length ? ` (pids ${dep.sutPids.join(', ')})` : ''}\n`);
  if (s.chaos === 'fail') throw new LoadlabError('LOADLAB_INTERNAL', EXIT.internal, 'level3: --chaos fail: failing on purpose after the deployment started');
  const mix = createStandardMix();
  const enqueue = createEnqueueLoad(await loginOnce(dep.url, s.timeoutMs));
  await verifyScenario(dep.url, mix, s.timeoutMs);
  await verifyScenario(dep.url, enqueue, s.timeoutMs);
  const sampler = startQueueSampler(new URL('/metrics', dep.url).toString(), () => ctx.series.length);
  const monitor = new Monitor({ sutPids: dep.sutPids });
  const base = { target: dep.url, timeoutMs: s.timeoutMs, seed: s.seed, monitor, progress: createProgress(ctx.io.stderr) };
  try {
    const [warm, closed] = [await runPhase(planClosedPhases('level3', s)[0]!, { ...base, scenario: mix }, ctx.series), await runPhase(planClosedPhases('level3', s)[1]!, { ...base, scenario: mix }, ctx.series)];
    const enqueueStartMs = performance.now();
    const enq = await runPhase({ name: 'level3 enqueue', model: 'closed', connections: s.connections, durationSec: s.closedSec, judged: true }, { ...base, scenario: enqueue }, ctx.series);
    const openPhase = planOpenPhase('level3', closed.report.throughputRps, s.loadFraction, s.openSec);
    const openStartMs = performance.now();
    // Jobs keep arriving (half the enqueue rate, off the record) so the open phase measures the API while jobs run.
    const background = runOpen({ target: dep.url, scenario: enqueue, targetRps: Math.max(1, Math.round(enq.report.throughputRps / 2)), durationSec: openPhase.durationSec, timeoutMs: s.timeoutMs, seed: s.seed + 1 });
    const [open, jobs] = await Promise.all([runPhase(openPhase, { ...base, scenario: mix }, ctx.series), background]);
    await sampler.stop();
    for (const [row, depth] of sampler.byRow) ctx.queueByRow.set(row, depth);
    const judged = judgeQueue(enq.report, open.report, sampler.samples, enqueueStartMs, openStartMs);
    judged.notes.push(`Level 3: during the open phase a second open-model client enqueued ${jobs.recorder.counts.completed} more jobs at ${Math.round(jobs.achievedRps)}/s (half the enqueue rate; not in the latency figures).`);
    await dep.stop();
    return {
      key: 'level3',
      title: 'Level 3',
      deployment: `${dep.description}, TASK_CONCURRENCY per worker as configured`,
      measured: { phases: [warm, closed, enq, open], closed: closed.report, open: open.report, openRps: openPhase.targetRps!, core: summarizeCore(closed.report, open.report) },
      checks: [],
      ...judged,
    };
  } finally {
    monitor.stop();
    await sampler.stop();
  }
}

/** Enqueue rate, processing rate, queue depth and how much of the open phase ran with jobs in the queue (pure). */
export function judgeQueue(enq: PhaseReport, open: PhaseReport, samples: QueueDepth[], enqueueStartMs: number, openStartMs: number): { extras: ExtraKpi[]; notes: string[] } {
  const accepted = enq.requests.completed;
  const { ratePerSec, drainedAtMs } = processingRate(samples.filter((x) => x.atMs <= openStartMs), accepted, enqueueStartMs);
  const maxDepth = samples.length ? Math.max(...samples.map(backlogOf)) : null;
  const openEndMs = openStartMs + open.durationSec * 1000;
  const inOpen = samples.filter((x) => x.atMs >= openStartMs && x.atMs <= openEndMs);
  const busySec = inOpen.filter((x) => backlogOf(x) > 0).length;
  const failedEnqueues = enq.requests.failed ? `; ${enq.requests.failed} enqueue requests failed (${JSON.stringify({ ...enq.requests.byStatus, ...enq.requests.byError })})` : '';
  return {
    extras: [
      { metric: 'Enqueue rate (POST /api/tasks)', target: { op: '>=', value: ENQUEUE_TARGET_RPS, unit: 'jobs/s' }, value: enq.throughputRps, unit: 'jobs/s' },
      { metric: 'Processing rate', target: 'info', value: ratePerSec, unit: 'jobs/s', status: ratePerSec === null ? 'warn' : 'pass' },
      { metric: 'Queue depth, max', target: 'info', value: maxDepth, unit: 'jobs', status: maxDepth === null ? 'warn' : 'pass' },
    ],
    notes: [
      `Level 3: ${accepted} jobs enqueued in ${enq.durationSec}s${failedEnqueues}; processing rate = (jobs enqueued − growth of the backlog) ÷ time, from the enqueue phase's start until the backlog ${drainedAtMs === null ? 'was last sampled (it never drained)' : `drained (${((drainedAtMs - enqueueStartMs) / 1000).toFixed(1)}s)`}; ` +
        `jobs were queued or running in ${busySec} of the ${inOpen.length} one-second samples of the open phase, whose latency is the API's while jobs run; queue depth per second is in series.csv (queue_waiting, queue_active).`,
    ],
  };
}
