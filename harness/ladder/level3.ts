// Level 3: background jobs on Redis — enqueue rate, processing rate, queue depth per second, and API latency while the jobs run.
import { performance } from 'node:perf_hooks';
import { openEngine } from '../engine/engine.ts';
import type { PhaseResult } from '../engine/phase-result.ts';
import { Recorder } from '../engine/recorder.ts';
import type { QueueFigures } from '../report/figures.ts';
import type { PhaseReport } from '../report/model.ts';
import type { LevelSettings } from '../run/ladder-config.ts';
import type { Session } from '../run/session.ts';
import { createEnqueueLoad, loginOnce } from '../scenario/standard-mix.ts';
import type { Scenario } from '../scenario/types.ts';
import type { LevelHooks } from './level.ts';
import type { LevelContext, LevelDefinition } from './run-level.ts';
import { backlogOf, processingRate, startQueueSampler, type QueueDepth } from './queue.ts';
import type { StartedDeployment } from '../env/deploy.ts';

export const ENQUEUE_TARGET_RPS = 1000;

/** What Level 3's hooks saw: queue samples, when the enqueue and open phases started, the background client's count. */
export interface QueueRun {
  samples: QueueDepth[];
  enqueueStartMs: number;
  openStartMs: number;
  background?: { jobs: number; achievedRps: number };
}

/** warm-up → throughput (standard mix) → enqueue (POST /api/tasks, closed) → latency (standard mix, open) while the backlog is processed. */
export const LEVEL3: LevelDefinition = {
  key: 'level3',
  deploy: (s) => ({ workers: s.workers, needRedis: true, env: { CACHE: 'on' } }),
  prepare: prepareQueueHooks,
  judge: (measured) => judgeQueue(measured.extra[0]!, measured.open, measured.finished as QueueRun),
};

async function prepareQueueHooks(dep: StartedDeployment, s: LevelSettings, ctx: LevelContext): Promise<LevelHooks> {
  const enqueue = createEnqueueLoad(await loginOnce(dep.url, s.timeoutMs));
  const sampler = startQueueSampler(new URL('/metrics', dep.url).toString(), () => ctx.series.length);
  const run: QueueRun = { samples: sampler.samples, enqueueStartMs: 0, openStartMs: 0 };
  let enqueued: PhaseReport | undefined;
  return {
    verify: [enqueue],
    async afterThroughput(session: Session): Promise<PhaseResult[]> {
      run.enqueueStartMs = performance.now();
      const phase = {
        name: 'level3 enqueue',
        model: 'closed' as const,
        connections: s.connections,
        durationSec: s.closedSec,
        judged: true,
      };
      const result = await session.runPhase(phase, enqueue);
      enqueued = result.report;
      return [result];
    },
    async duringOpen(open) {
      run.openStartMs = performance.now();
      // Jobs keep arriving (half the enqueue rate, off the record) so the open phase measures the API while jobs run.
      run.background = await enqueueInBackground(
        dep.url,
        enqueue,
        s,
        Math.max(1, Math.round((enqueued?.throughputRps ?? 0) / 2)),
        open.durationSec,
      );
    },
    async finish() {
      await sampler.stop();
      for (const [row, depth] of sampler.byRow) ctx.queueByRow.set(row, depth);
      return run;
    },
  };
}

async function enqueueInBackground(
  url: string,
  scenario: Scenario,
  s: LevelSettings,
  targetRps: number,
  durationSec: number,
) {
  const recorder = new Recorder();
  const phase = { name: 'level3 background enqueue', model: 'open' as const, targetRps, durationSec, judged: false };
  const run = await openEngine.run(phase, {
    target: url,
    scenario,
    recorder,
    timeoutMs: s.timeoutMs,
    seed: s.seed + 1,
  });
  return { jobs: recorder.counts.completed, achievedRps: run.open?.achievedRps ?? 0 };
}

/** Enqueue rate, processing rate, queue depth and how much of the open phase ran with jobs in the queue (pure). */
export function judgeQueue(enq: PhaseReport, open: PhaseReport, run: QueueRun): QueueFigures {
  const { samples, enqueueStartMs, openStartMs } = run;
  const accepted = enq.requests.completed;
  const beforeOpen = samples.filter((x) => x.atMs <= openStartMs);
  const { ratePerSec, drainedAtMs } = processingRate(beforeOpen, accepted, enqueueStartMs);
  const openEndMs = openStartMs + open.durationSec * 1000;
  const inOpen = samples.filter((x) => x.atMs >= openStartMs && x.atMs <= openEndMs);
  return {
    kind: 'queue',
    enqueueRps: enq.throughputRps,
    enqueueTargetRps: ENQUEUE_TARGET_RPS,
    accepted,
    enqueueDurationSec: enq.durationSec,
    failedEnqueues: enq.requests.failed,
    enqueueErrors: { ...enq.requests.byStatus, ...enq.requests.byError },
    processingRatePerSec: ratePerSec,
    drainedAfterSec: drainedAtMs === null ? null : (drainedAtMs - enqueueStartMs) / 1000,
    maxDepth: samples.length ? Math.max(...samples.map(backlogOf)) : null,
    openSamples: inOpen.length,
    busySamples: inOpen.filter((x) => backlogOf(x) > 0).length,
    ...(run.background ? { background: run.background } : {}),
  };
}
