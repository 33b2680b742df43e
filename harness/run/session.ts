// One measurement session: verify the target, then run phases on the right engine with one monitor, one
// progress line and one per-second series — the flow `run`, every level and every analysis share.
import { performance } from 'node:perf_hooks';
import type { CommandIO } from '../io.ts';
import { engineFor } from '../engine/engine.ts';
import { summarizePhase, type PhaseResult } from '../engine/phase-result.ts';
import { Recorder } from '../engine/recorder.ts';
import { Monitor, type ProcessRoot } from '../monitor/monitor.ts';
import type { Arrivals, SeriesRow, SideRequests } from '../report/model.ts';
import { createProgress, type Progress } from '../report/progress.ts';
import type { Scenario } from '../scenario/types.ts';
import type { Phase } from './plan.ts';
import { createSideRequests, verifyScenario, type VerifiedEndpoint } from './verify.ts';

export interface SessionOptions {
  target: string;
  /** The load of runPhase unless a phase names another. */
  scenario: Scenario;
  /** Scenarios checked before timing (default: [scenario]); every endpoint is called once. */
  verify?: Scenario[];
  timeoutMs: number;
  lateThresholdMs?: number;
  seed: number;
  /** Named processes the monitor samples by pid with their descendants (the SUT, services, load balancer). */
  processes?: ProcessRoot[];
  metricsUrl?: string;
  readyUrl?: string;
  io: CommandIO;
  /** Prefix of the session's lines on stderr, e.g. "level2". */
  label?: string;
  /** Rows are appended here (a ladder shares one series across its levels). */
  series?: SeriesRow[];
  /** Tally this response header's values in every phase (lower-case name; Level 4: x-node-id). */
  tallyHeader?: string;
  /** Worker threads the engine shares each phase's load over (run/generator-options.ts has the default rule). */
  generatorThreads?: number;
  /** Open phases' arrivals unless the phase (a scenario stage) names its own. */
  arrivals?: Arrivals;
  /** Share of responses the engine checks like verification (0 = none). */
  checkSample?: number;
}

/** Requests the session sent outside its phases, for run.json's complete accounting. */
export interface SessionSideRequests {
  /** Every verification call, including steps repeated only to feed a capture. */
  verification: SideRequests;
  /** The monitor's /ready and /metrics probes, when they went to the target's own origin. */
  probes?: SideRequests;
}

export interface Session {
  readonly target: string;
  readonly verified: VerifiedEndpoint[];
  readonly series: SeriesRow[];
  /** What the session sent besides the phases' load so far (read it after the last phase). */
  sideRequests(): SessionSideRequests;
  /** Runs one phase to its end; the series gets one row per second of it. */
  runPhase(phase: Phase, scenario?: Scenario): Promise<PhaseResult>;
  /** Stops the monitor; safe to call twice. */
  stop(): void;
}

/** Verifies every scenario (throws before any timing when one answers wrongly), then starts the monitor. */
export async function openSession(o: SessionOptions): Promise<Session> {
  const verified: VerifiedEndpoint[] = [];
  const verification = createSideRequests();
  for (const scenario of o.verify ?? [o.scenario])
    verified.push(...(await verifyScenario(o.target, scenario, o.timeoutMs, verification)));
  const prefix = o.label ? `${o.label}: ` : '';
  o.io.stderr.write(`${prefix}verified ${verified.map((v) => `${v.name} → ${v.status}`).join(', ')}\n`);
  const monitor = new Monitor({ processes: o.processes, metricsUrl: o.metricsUrl, readyUrl: o.readyUrl });
  const progress = createProgress(o.io.stderr);
  const series = o.series ?? [];
  return {
    target: o.target,
    verified,
    series,
    sideRequests: () => ({ verification, ...probesToTarget(o, monitor) }),
    runPhase: (phase, scenario) =>
      runPhase(phase, { ...o, scenario: scenario ?? o.scenario }, monitor, progress, series),
    stop: () => monitor.stop(),
  };
}

/**
 * The monitor's probe counts when its probes went to the target's own origin (the server counts those requests
 * too). The monitor counts /ready and /metrics together, so both must go there; probes elsewhere are not the target's.
 */
function probesToTarget(o: SessionOptions, monitor: Monitor): { probes?: SideRequests } {
  const origin = new URL(o.target).origin;
  const urls = [o.readyUrl, o.metricsUrl].filter((url): url is string => url !== undefined);
  const toTarget = urls.length > 0 && urls.every((url) => new URL(url).origin === origin);
  return toTarget ? { probes: monitor.probeCounts() } : {};
}

/** Opens a session, lends it to `body`, and stops it however `body` ends. */
export async function withSession<T>(o: SessionOptions, body: (session: Session) => Promise<T>): Promise<T> {
  const session = await openSession(o);
  try {
    return await body(session);
  } finally {
    session.stop();
  }
}

async function runPhase(
  phase: Phase,
  o: SessionOptions,
  monitor: Monitor,
  progress: Progress,
  series: SeriesRow[],
): Promise<PhaseResult> {
  const recorder = new Recorder();
  const startedMs = performance.now();
  let ticking: Promise<void> = Promise.resolve();
  const tick = (): void => {
    const window = recorder.takeWindow();
    ticking = monitor.sample().then((sample) => {
      series.push({ second: series.length, phase: phase.name, window, sample });
      const elapsedSec = (performance.now() - startedMs) / 1000;
      const errors = recorder.failedSoFar;
      progress.update({
        phase: phase.name,
        elapsedSec,
        durationSec: phase.durationSec,
        rps: window.responses,
        p99Ms: window.p99Ms,
        errors,
      });
    });
  };
  monitor.beginPhase();
  const timer = setInterval(tick, 1000);
  try {
    const ctx = {
      target: o.target,
      scenario: o.scenario,
      recorder,
      timeoutMs: o.timeoutMs,
      lateThresholdMs: o.lateThresholdMs,
      seed: o.seed,
      tallyHeader: o.tallyHeader,
      threads: o.generatorThreads,
      arrivals: phase.arrivals ?? o.arrivals,
      checkSample: o.checkSample,
    };
    const run = await engineFor(phase.model).run(phase, ctx);
    // No tick may start after the load ends: its probes would land after the phase's counts were read.
    clearInterval(timer);
    await ticking;
    const { generator, sut, resources } = monitor.endPhase();
    const result = summarizePhase({
      phase,
      recorder,
      elapsedSec: run.elapsedSec,
      open: run.open,
      firstResponse: run.firstResponse,
      engine: run,
      generator,
      sut,
    });
    return { ...result, report: { ...result.report, ...resources } };
  } finally {
    clearInterval(timer);
    progress.done();
  }
}
