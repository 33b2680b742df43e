// The one interface both load models implement (as undici's Dispatcher is implemented by Client, Pool and Agent):
// run one phase against a target, feeding every request into a Recorder.
import type { AnswerChecks, Arrivals, HeaderTally, LoadModel } from '../report/model.ts';
import type { Scenario } from '../scenario/types.ts';
import type { LatencyHistogram } from './histogram.ts';
import type { Recorder } from './recorder.ts';
import { runClosed } from './closed.ts';
import { runOpen } from './open.ts';
import { runInThreads } from './threads.ts';
import { splitConnections } from './thread-job.ts';

export type { LoadModel };

/** One phase of load: what an engine is asked to run. */
export interface Phase {
  name: string;
  model: LoadModel;
  durationSec: number;
  targetRps?: number;
  /** Open model only: ramp linearly from this rate to targetRps. */
  fromRps?: number;
  connections?: number;
  /** Warm-up phases are run and reported but not judged against thresholds. */
  judged: boolean;
}

export interface EngineContext {
  target: string;
  scenario: Scenario;
  recorder: Recorder;
  timeoutMs?: number;
  /** Open model: a send later than this after its intended time counts as late. */
  lateThresholdMs?: number;
  seed?: number;
  /** Worker threads that share the phase's load (default 1: the calling thread). */
  threads?: number;
  /** Open model: evenly spaced or Poisson (seeded) arrivals; default uniform. */
  arrivals?: Arrivals;
  /** Share (0–1) of responses whose answer is checked like verification; a wrong one fails as `wrong-answer`. */
  checkSample?: number;
  /** Tally this response header's values over the phase (lower-case name). */
  tallyHeader?: string;
}

/** Open-model figures beside the recorder's: how well the schedule was kept. */
export interface OpenFigures {
  achievedRps: number;
  lateSends: number;
  /** Arrivals never written to a socket by the end of the phase (see open.ts). */
  unsent: number;
  resetRetries: number;
  lateThresholdMs: number;
  sendLag: LatencyHistogram;
  /** Latency from each request's actual send. */
  serviceTime: LatencyHistogram;
  arrivals: Arrivals;
}

/** What an engine reports about a phase beyond the recorder's counts and histograms. */
export interface EngineRun {
  elapsedSec: number;
  open?: OpenFigures;
  /** Closed model: each connection's first response (connect + client start-up), kept apart. */
  firstResponse?: LatencyHistogram;
  threads: number;
  /** Seconds the calling thread spent spinning to a due send on purpose (not busy work; see saturation.ts). */
  spinWaitSec?: number;
  /** Worker threads' own figures (absent when the phase ran on the calling thread). */
  threadFigures?: ThreadFigures[];
  answerChecks?: AnswerChecks;
  tally?: HeaderTally;
}

/** One generator worker thread over a phase. */
export interface ThreadFigures {
  /** Busy CPU of the thread, % of one core, spin-waiting excluded. */
  busyCpuPct: number;
  eventLoopP99Ms: number;
}

export interface LoadEngine {
  readonly model: LoadModel;
  run(phase: Phase, ctx: EngineContext): Promise<EngineRun>;
}

const DEFAULT_LATE_THRESHOLD_MS = 2;

/**
 * Constant (or ramping) arrival rate on a fixed schedule, uniform or Poisson; latency from each request's
 * intended send time. On the calling thread when ctx.threads is 1, else on that many worker threads.
 */
export const openEngine: LoadEngine = {
  model: 'open',
  async run(phase, ctx) {
    const lateThresholdMs = ctx.lateThresholdMs ?? DEFAULT_LATE_THRESHOLD_MS;
    const targetRps = requireLoad(phase, phase.targetRps);
    const threads = Math.max(1, ctx.threads ?? 1);
    if (threads > 1) {
      const jobs = Array.from({ length: threads }, (_, index) => ({
        ...jobBase(phase, ctx),
        model: 'open' as const,
        share: { index, count: threads },
        targetRps,
        fromRps: phase.fromRps,
        arrivals: ctx.arrivals,
        lateThresholdMs,
      }));
      return runInThreads(jobs, ctx.recorder);
    }
    const startedMs = performance.now();
    const open = await runOpen({
      target: ctx.target,
      scenario: ctx.scenario,
      recorder: ctx.recorder,
      targetRps,
      fromRps: phase.fromRps,
      durationSec: phase.durationSec,
      arrivals: ctx.arrivals,
      timeoutMs: ctx.timeoutMs,
      seed: ctx.seed,
      lateThresholdMs,
      checkSample: ctx.checkSample,
      tallyHeader: ctx.tallyHeader,
    });
    return {
      elapsedSec: (performance.now() - startedMs) / 1000,
      open: { ...open, lateThresholdMs },
      threads: 1,
      spinWaitSec: open.spinWaitSec,
      ...(open.answerChecks ? { answerChecks: open.answerChecks } : {}),
      ...(open.tally ? { tally: open.tally } : {}),
    };
  },
};

/** A fixed number of connections as fast as they go (autocannon), split over ctx.threads worker threads. */
export const closedEngine: LoadEngine = {
  model: 'closed',
  async run(phase, ctx) {
    const connections = requireLoad(phase, phase.connections);
    const split = splitConnections(connections, Math.max(1, ctx.threads ?? 1));
    if (split.length > 1) {
      const jobs = split.map((share, index) => ({
        ...jobBase(phase, ctx),
        model: 'closed' as const,
        share: { index, count: split.length },
        connections: share,
        seed: (ctx.seed ?? 1) + index * 1_000_003,
      }));
      return runInThreads(jobs, ctx.recorder);
    }
    const closed = await runClosed({
      target: ctx.target,
      scenario: ctx.scenario,
      recorder: ctx.recorder,
      connections,
      durationSec: phase.durationSec,
      timeoutMs: ctx.timeoutMs,
      seed: ctx.seed,
      checkSample: ctx.checkSample,
      tallyHeader: ctx.tallyHeader,
    });
    return {
      elapsedSec: closed.elapsedSec,
      firstResponse: closed.firstResponse,
      threads: 1,
      ...(closed.answerChecks ? { answerChecks: closed.answerChecks } : {}),
      ...(closed.tally ? { tally: closed.tally } : {}),
    };
  },
};

function jobBase(phase: Phase, ctx: EngineContext) {
  return {
    target: ctx.target,
    scenario: ctx.scenario,
    durationSec: phase.durationSec,
    timeoutMs: ctx.timeoutMs,
    seed: ctx.seed,
    checkSample: ctx.checkSample,
    tallyHeader: ctx.tallyHeader,
  };
}

const ENGINES: Record<LoadModel, LoadEngine> = { open: openEngine, closed: closedEngine };

export function engineFor(model: LoadModel): LoadEngine {
  return ENGINES[model];
}

function requireLoad(phase: Phase, value: number | undefined): number {
  if (value === undefined) throw new TypeError(`phase "${phase.name}" (${phase.model}) has no rate or connections`);
  return value;
}
