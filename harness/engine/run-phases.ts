// Runs a plan's phases in order on the right engine, with a one-second ticker for the series, the monitor and progress.
import { performance } from 'node:perf_hooks';
import type { Phase } from '../run/plan.ts';
import type { Scenario } from '../scenario/types.ts';
import { Monitor, type MonitorSample } from '../monitor/monitor.ts';
import type { Progress } from '../report/progress.ts';
import { Recorder, type WindowSnapshot } from './recorder.ts';
import { runOpen } from './open.ts';
import { runClosed } from './closed.ts';
import { summarizePhase, type OpenFigures, type PhaseResult } from './phase-result.ts';
import type { LatencyHistogram } from './histogram.ts';

export interface RunContext {
  target: string;
  scenario: Scenario;
  timeoutMs?: number;
  lateThresholdMs?: number;
  seed?: number;
  monitor?: Monitor;
  progress?: Progress;
}

export interface SeriesRow {
  second: number;
  phase: string;
  window: WindowSnapshot;
  sample: MonitorSample;
}

export interface RunPhasesResult {
  phases: PhaseResult[];
  series: SeriesRow[];
}

export async function runPhases(plan: Phase[], ctx: RunContext): Promise<RunPhasesResult> {
  const monitor = ctx.monitor ?? new Monitor();
  const series: SeriesRow[] = [];
  const phases: PhaseResult[] = [];
  try {
    for (const phase of plan) phases.push(await runPhase(phase, { ...ctx, monitor }, series));
  } finally {
    if (!ctx.monitor) monitor.stop();
  }
  return { phases, series };
}

/** Runs one phase; `series` (when given) receives one row per second. */
export async function runPhase(phase: Phase, ctx: RunContext, series: SeriesRow[] = []): Promise<PhaseResult> {
  const monitor = ctx.monitor ?? new Monitor();
  const recorder = new Recorder();
  const startedAt = performance.now();
  let ticking: Promise<void> = Promise.resolve();
  const tick = (): void => {
    const window = recorder.takeWindow();
    ticking = monitor.sample().then((sample) => {
      series.push({ second: series.length, phase: phase.name, window, sample });
      const elapsedSec = (performance.now() - startedAt) / 1000;
      ctx.progress?.update({ phase: phase.name, elapsedSec, durationSec: phase.durationSec, rps: window.responses, p99Ms: window.p99Ms, errors: recorder.counts.failed });
    });
  };
  monitor.beginPhase();
  const timer = setInterval(tick, 1000);
  try {
    const common = { target: ctx.target, scenario: ctx.scenario, durationSec: phase.durationSec, timeoutMs: ctx.timeoutMs, recorder, seed: ctx.seed };
    if (phase.model === 'open') {
      const lateThresholdMs = ctx.lateThresholdMs ?? 2;
      const open = await runOpen({ ...common, targetRps: phase.targetRps!, fromRps: phase.fromRps, lateThresholdMs });
      return await finish(phase, recorder, startedAt, { ...open, lateThresholdMs });
    }
    const closed = await runClosed({ ...common, connections: phase.connections! });
    return await finish(phase, recorder, startedAt, undefined, closed.firstResponse);
  } finally {
    clearInterval(timer);
    ctx.progress?.done();
  }

  async function finish(p: Phase, rec: Recorder, t0: number, open?: OpenFigures, firstResponse?: LatencyHistogram): Promise<PhaseResult> {
    const elapsedSec = (performance.now() - t0) / 1000;
    await ticking;
    const { generator, sut } = monitor.endPhase();
    return summarizePhase({ phase: p, recorder: rec, elapsedSec, open, firstResponse, generator, sut });
  }
}
