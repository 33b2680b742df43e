// `loadlab run`: verify the target, run the planned phases (the judged ones --trials times), judge thresholds,
// write results, then save or compare with a baseline; returns the exit code.
import { parseOptions, renderUsage } from '../run/args.ts';
import { createRunConfig, describeConfig, RUN_OPTIONS, type RunConfig } from '../run/config.ts';
import { EXIT, type ExitCode } from '../errors.ts';
import type { CommandIO } from '../io.ts';
import { describePlan, planPhases, type Phase } from '../run/plan.ts';
import { withSession } from '../run/session.ts';
import type { ProcessRoot } from '../monitor/processes.ts';
import { finishRun, type FinishedRun } from '../run/finish.ts';
import { aggregatePhases } from '../run/aggregate.ts';
import { judgeRunKpis, judgeThresholds } from '../run/judge.ts';
import type { PhaseResult } from '../engine/phase-result.ts';
import { NO_TURN, trialSuffix, type Turn } from '../ladder/level.ts';
import type { CalibrationReport, TrialReport } from '../report/model.ts';
import { buildTrialReport } from '../report/trials.ts';
import { measureCalibration } from '../run/calibration.ts';
import { planJudgement } from './judge-change.ts';

export const RUN_USAGE = renderUsage(
  'run',
  'load a target with the open (--rate) or closed (--connections) model and measure it',
  RUN_OPTIONS,
);

export async function runCommand(argv: string[], io: CommandIO): Promise<ExitCode> {
  const options = parseOptions(argv, RUN_OPTIONS);
  const config = createRunConfig(options);
  if (config.dryRun) {
    io.stdout.write(`${describePlan(planTrials(config))}\n`);
    return EXIT.passed;
  }
  const judgement = planJudgement(options, config.outDir);
  return judgement.after(await executeRun(config, io), io);
}

/** The plan with its judged phases once per trial: the phases before the first judged one are the warm-up (pure). */
export function planTrials(config: RunConfig): Phase[] {
  const plan = planPhases({ ...config, stages: config.scenario.stages });
  const { warmup, measured } = splitWarmup(plan);
  const trials = Array.from({ length: config.trials }, (_, i) =>
    measured.map((p) => ({ ...p, name: `${p.name}${trialSuffix(i + 1, config.trials)}` })),
  );
  return [...warmup, ...trials.flat()];
}

function splitWarmup(plan: Phase[]): { warmup: Phase[]; measured: Phase[] } {
  const first = plan.findIndex((p) => p.judged);
  const cut = first < 0 ? plan.length : first;
  return { warmup: plan.slice(0, cut), measured: plan.slice(cut) };
}

export interface ExecuteOptions {
  /** ab: waits for this side's turn before the warm-up and each trial. */
  turn?: Turn;
  /** Measured once for both sides of an ab run; else measured here, before the load. */
  calibration?: CalibrationReport;
}

/** Runs `run` and writes its results folder (the part `ab run` shares). */
export async function executeRun(config: RunConfig, io: CommandIO, o: ExecuteOptions = {}): Promise<FinishedRun> {
  const turn = o.turn ?? NO_TURN;
  const plan = planPhases({ ...config, stages: config.scenario.stages });
  const { warmup, measured } = splitWarmup(plan);
  const calibration = o.calibration ?? (await measureCalibration({ durationSec: config.durationSec < 10 ? 1 : 2 }));
  const startedAt = new Date();
  const { phases, trials, series, side } = await withSession(
    { ...config, processes: sutRoots(config.sutPids), io },
    async (session) => {
      const results: PhaseResult[] = [];
      await turn('warm-up', async () => {
        for (const phase of warmup) results.push(await session.runPhase(phase));
      });
      const trials: TrialReport[] = [];
      for (let trial = 1; trial <= config.trials; trial++) {
        const suffix = trialSuffix(trial, config.trials);
        const own = await turn(`trial ${trial}`, async () => {
          const done: PhaseResult[] = [];
          for (const phase of measured) done.push(await session.runPhase({ ...phase, name: `${phase.name}${suffix}` }));
          return done;
        });
        results.push(...own);
        trials.push(trialFigures(trial, own));
      }
      return { phases: results, trials, series: session.series, side: session.sideRequests() };
    },
  );
  const view = aggregatePhases(phases);
  const checks = judgeThresholds(config.thresholds, view);
  const kpiRows = judgeRunKpis(view, config.thresholds, checks);
  return finishRun(
    {
      kind: 'run',
      startedAt,
      config: describeConfig(config),
      phases,
      trials,
      calibration,
      checks,
      kpiRows,
      series,
      ...side,
      outDir: config.outDir,
      json: config.json,
    },
    io,
  );
}

/** One trial's figures: its judged phases merged (histograms exactly), as a run of that trial alone would show. */
function trialFigures(trial: number, phases: PhaseResult[]): TrialReport {
  const view = aggregatePhases(phases);
  const o = view.overall;
  return buildTrialReport({
    trial,
    group: 'run',
    core: {
      throughput: o.throughputRps,
      p50: o.latencyMs.p50,
      p95: o.latencyMs.p95,
      p99: o.latencyMs.p99,
      error_rate: round4(o.errorRate * 100),
      availability: round4((o.availability ?? 0) * 100),
    },
    endpoints: [...view.endpoints].map(([name, f]) => ({
      name,
      requests: f.requests,
      failed: Math.round(f.errorRate * f.requests),
      throughputRps: f.throughputRps,
      latencyMs: f.latencyMs,
    })),
  });
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** --sut-pid: each named "sut" (or "sut:<pid>" when several), its descendants each with their own series. */
function sutRoots(pids: number[]): ProcessRoot[] {
  return pids.map((pid) => ({
    name: pids.length > 1 ? `sut:${pid}` : 'sut',
    pid,
    group: 'sut',
    children: 'sut-child',
  }));
}
