// `loadlab run`: verify the target, run the planned phases, judge thresholds, write results, return the exit code.
import { parseOptions, renderUsage } from '../run/args.ts';
import { createRunConfig, describeConfig, RUN_OPTIONS } from '../run/config.ts';
import { EXIT, type ExitCode } from '../errors.ts';
import type { CommandIO } from '../io.ts';
import { describePlan, planPhases } from '../run/plan.ts';
import { withSession } from '../run/session.ts';
import type { ProcessRoot } from '../monitor/processes.ts';
import { finishRun } from '../run/finish.ts';
import { aggregatePhases } from '../run/aggregate.ts';
import { judgeRunKpis, judgeThresholds } from '../run/judge.ts';
import type { PhaseResult } from '../engine/phase-result.ts';

export const RUN_USAGE = renderUsage(
  'run',
  'load a target with the open (--rate) or closed (--connections) model and measure it',
  RUN_OPTIONS,
);

export async function runCommand(argv: string[], io: CommandIO): Promise<ExitCode> {
  const config = createRunConfig(parseOptions(argv, RUN_OPTIONS));
  const plan = planPhases({ ...config, stages: config.scenario.stages });
  if (config.dryRun) {
    io.stdout.write(`${describePlan(plan)}\n`);
    return EXIT.passed;
  }
  const startedAt = new Date();
  const { phases, series, side } = await withSession(
    { ...config, processes: sutRoots(config.sutPids), io },
    async (session) => {
      const results: PhaseResult[] = [];
      for (const phase of plan) results.push(await session.runPhase(phase));
      return { phases: results, series: session.series, side: session.sideRequests() };
    },
  );
  const view = aggregatePhases(phases);
  const checks = judgeThresholds(config.thresholds, view);
  const kpiRows = judgeRunKpis(view, config.thresholds, checks);
  const finished = finishRun(
    {
      kind: 'run',
      startedAt,
      config: describeConfig(config),
      phases,
      checks,
      kpiRows,
      series,
      ...side,
      outDir: config.outDir,
      json: config.json,
    },
    io,
  );
  return finished.exitCode;
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
