// The flow every level shares: verify → warm-up → closed phase (throughput) → open phase at a fraction of that capacity.
import type { CommandIO } from '../io.ts';
import type { Deployment } from '../env/deploy.ts';
import type { Phase } from '../run/plan.ts';
import type { Scenario } from '../scenario/types.ts';
import type { PhaseReport } from '../report/model.ts';
import type { LevelFigures } from '../report/figures.ts';
import type { CoreMetric } from '../report/kpi-table.ts';
import type { SeriesRow } from '../report/model.ts';
import { withSession, type Session, type SessionSideRequests } from '../run/session.ts';
import { availabilityOf } from '../run/aggregate.ts';
import { createStandardMix } from '../scenario/standard-mix.ts';
import type { PhaseResult } from '../engine/phase-result.ts';
import type { LevelSettings } from '../run/ladder-config.ts';
import { median } from '../stats/verdict.ts';

/** What a level adds to the shared flow; every hook is optional. */
export interface LevelHooks {
  /** The measured load (default: the standard mix). */
  scenario?: Scenario;
  /** Checked before timing besides `scenario`. */
  verify?: Scenario[];
  /** A response header every phase tallies (Level 4: x-node-id); each PhaseReport then carries `tally`. */
  tallyHeader?: string;
  /** Judged phases run between the throughput phase and the open phase (Level 3: the enqueue phase). */
  afterThroughput?(session: Session): Promise<PhaseResult[]>;
  /** Runs alongside the open phase (reloads, samples, background jobs); its result comes back as `during`. */
  duringOpen?(open: Phase): Promise<unknown>;
  /** Runs after the phases, also when they fail (stops samplers); its result comes back as `finished`. */
  finish?(): Promise<unknown>;
}

/**
 * Runs one step of a paired run (ab: A and B deployed side by side) when it is that side's turn, so the two sides'
 * measured phases never overlap; a plain run's turn is immediate.
 */
export type Turn = <T>(step: string, fn: () => Promise<T>) => Promise<T>;

export const NO_TURN: Turn = (_step, fn) => fn();

export interface MeasureOptions extends LevelHooks {
  key: string;
  openSec?: number;
  series: SeriesRow[];
  io: CommandIO;
  /** Trials of the measured phases after the one warm-up (default 1). */
  trials?: number;
  /** The first trial's number (--fresh runs one trial per deployment) and the run's trial count, for phase names. */
  firstTrial?: number;
  totalTrials?: number;
  turn?: Turn;
}

/** One trial: the throughput phase, what afterThroughput ran, and the open phase, as one run would have them. */
export interface TrialMeasured {
  trial: number;
  phases: PhaseResult[];
  closed: PhaseReport;
  extra: PhaseReport[];
  open: PhaseReport;
  openRps: number;
  core: Record<CoreMetric, number>;
  during?: unknown;
}

/** A level's measurement: every phase, and the last trial's reports (core: each figure's median over the trials). */
export interface Measured extends Omit<TrialMeasured, 'trial'> {
  /** Each trial in order; one for a run without --trials. */
  trials: TrialMeasured[];
  finished?: unknown;
  /** Verification calls and same-origin monitor probes: run.json counts them beside the phases. */
  side?: SessionSideRequests;
}

/** A finished level: what it measured and, if it has a judge, its figures; report/ turns both into rows and prose. */
export interface LevelRun {
  key: string;
  deployment: string;
  measured: Measured;
  figures?: LevelFigures;
  /** Each trial with its own figures (the level judged as if it had run that trial alone). */
  trials: { measured: TrialMeasured; figures?: LevelFigures }[];
  /** What the SUT nodes loadlab started printed (the last 2,000 lines of each), for sut.log. */
  sutLog?: string[];
}

/** The warm-up and throughput phases (pure); the open phase follows from the throughput measured. */
export function planClosedPhases(
  key: string,
  s: Pick<LevelSettings, 'warmupSec' | 'closedSec' | 'connections'>,
  trial = '',
): Phase[] {
  return [
    { name: `${key} warm-up`, model: 'closed', connections: s.connections, durationSec: s.warmupSec, judged: false },
    {
      name: `${key} throughput${trial}`,
      model: 'closed',
      connections: s.connections,
      durationSec: s.closedSec,
      judged: true,
    },
  ];
}

/** The open phase's rate: the stated fraction of the capacity just measured, at least 1 req/s (pure). */
export function planOpenPhase(
  key: string,
  throughputRps: number,
  loadFraction: number,
  durationSec: number,
  trial = '',
): Phase {
  const targetRps = Math.max(1, Math.round(throughputRps * loadFraction));
  return { name: `${key} latency${trial}`, model: 'open', targetRps, durationSec, judged: true };
}

/** A phase name's trial suffix: none for a run of one trial, " (trial 2/3)" otherwise (pure). */
export function trialSuffix(trial: number, total: number): string {
  return total > 1 ? ` (trial ${trial}/${total})` : '';
}

export async function measureLevel(dep: Deployment, s: LevelSettings, m: MeasureOptions): Promise<Measured> {
  const scenario = m.scenario ?? createStandardMix();
  const options = {
    target: dep.url,
    scenario,
    verify: [scenario, ...(m.verify ?? [])],
    timeoutMs: s.timeoutMs,
    seed: s.seed,
    processes: dep.processes,
    metricsUrl: dep.metricsUrl,
    readyUrl: dep.readyUrl,
    io: m.io,
    label: m.key,
    series: m.series,
    // A level that needs a header (Level 4: x-node-id) tallies its own; else --tally-header, if given.
    tallyHeader: m.tallyHeader ?? s.tallyHeader,
    generatorThreads: s.generatorThreads,
    arrivals: s.arrivals,
    checkSample: s.checkSample,
  };
  let measured: Omit<Measured, 'finished'>;
  let finished: unknown;
  try {
    measured = await withSession(options, async (session) => {
      const count = m.trials ?? 1;
      const first = m.firstTrial ?? 1;
      const total = m.totalTrials ?? count;
      const turn = m.turn ?? NO_TURN;
      const [warmup] = planClosedPhases(m.key, s);
      const phases: PhaseResult[] = [await turn('warm-up', () => session.runPhase(warmup!))];
      const trials: TrialMeasured[] = [];
      for (let trial = first; trial < first + count; trial++) {
        // Every trial's open phase runs at the first trial's rate, so the trials' latencies are comparable.
        const firstThroughput = trials[0]?.closed.throughputRps;
        const suffix = trialSuffix(trial, total);
        trials.push(await turn(`trial ${trial}`, () => runTrial(session, s, m, trial, suffix, firstThroughput)));
      }
      phases.push(...trials.flatMap((t) => t.phases));
      const last = trials[trials.length - 1]!;
      return {
        phases,
        trials,
        closed: last.closed,
        extra: last.extra,
        open: last.open,
        openRps: last.openRps,
        core: medianCore(trials.map((t) => t.core)),
        during: last.during,
        side: session.sideRequests(),
      };
    });
  } finally {
    finished = await m.finish?.();
  }
  return { ...measured, finished };
}

async function runTrial(
  session: Session,
  s: LevelSettings,
  m: MeasureOptions,
  trial: number,
  suffix: string,
  firstThroughputRps?: number,
): Promise<TrialMeasured> {
  const throughput = planClosedPhases(m.key, s, suffix)[1]!;
  const phases: PhaseResult[] = [await session.runPhase(throughput)];
  const closed = phases[0]!.report;
  const extra = (await m.afterThroughput?.(session)) ?? [];
  phases.push(...extra);
  const capacity = firstThroughputRps ?? closed.throughputRps;
  const openPhase = planOpenPhase(m.key, capacity, s.loadFraction, m.openSec ?? s.openSec, suffix);
  const [open, during] = await Promise.allSettled([session.runPhase(openPhase), m.duringOpen?.(openPhase)]);
  if (open.status === 'rejected') throw open.reason;
  if (during.status === 'rejected') throw during.reason;
  phases.push(open.value);
  return {
    trial,
    phases,
    closed,
    extra: extra.map((p) => p.report),
    open: open.value.report,
    openRps: openPhase.targetRps!,
    core: summarizeCore(closed, open.value.report),
    during: during.value,
  };
}

/** Each core figure's median over the trials (the KPI table's cell when a run has several). */
export function medianCore(cores: Record<CoreMetric, number>[]): Record<CoreMetric, number> {
  const keys = Object.keys(cores[0]!) as CoreMetric[];
  return Object.fromEntries(keys.map((k) => [k, median(cores.map((c) => c[k]))])) as Record<CoreMetric, number>;
}

/**
 * Latency from the open phase (below saturation, from intended send times); throughput from the closed phase;
 * error rate and availability over both. Availability counts what the server failed to serve (5xx, resets,
 * refusals, timeouts); the error rate also counts wrong statuses (4xx). Requests the closed phase's generator
 * left in flight when it stopped are not the server's doing and count in neither.
 */
export function summarizeCore(closed: PhaseReport, open: PhaseReport): Record<CoreMetric, number> {
  const both = [closed, open];
  const answered = sum(both.map((p) => p.requests.completed + p.requests.failed));
  const failed = sum(both.map((p) => p.requests.failed));
  return {
    p50: open.latencyMs.p50,
    p95: open.latencyMs.p95,
    p99: open.latencyMs.p99,
    throughput: closed.throughputRps,
    error_rate: answered === 0 ? 100 : round4((failed / answered) * 100),
    availability: round4(availabilityOf(both) * 100),
  };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
