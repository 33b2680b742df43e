// `loadlab run`: verify the target, run the planned phases, judge thresholds, write results, return the exit code.
import { parseOptions, renderUsage } from './args.ts';
import { createRunConfig, RUN_OPTIONS, type RunConfig } from '../run/config.ts';
import { EXIT, LoadlabError, type ExitCode } from '../errors.ts';
import type { CommandIO } from '../io.ts';
import { describePlan, planPhases, type Phase } from '../run/plan.ts';
import { verifyScenario } from '../run/verify.ts';
import { Monitor } from '../monitor/monitor.ts';
import { createProgress } from '../report/progress.ts';
import { runPhases } from '../engine/run-phases.ts';
import { aggregatePhases } from '../run/aggregate.ts';
import { judgeThresholds } from '../run/judge.ts';
import { buildKpiRows, buildRunJson, describeConfig } from '../report/run-json.ts';
import { collectEnvironment, createRunId } from '../report/environment.ts';
import { renderSummary } from '../report/summary.ts';
import { renderSeriesCsv } from '../report/series.ts';
import { validateRunJson } from '../report/validate.ts';
import { writeRun } from '../report/write.ts';

export const RUN_USAGE = renderUsage('run', 'load a target with the open (--rate) or closed (--connections) model and measure it', RUN_OPTIONS);

export async function runCommand(argv: string[], io: CommandIO): Promise<ExitCode> {
  const config = createRunConfig(parseOptions(argv, RUN_OPTIONS));
  const plan = planPhases({ ...config, stages: config.scenario.stages });
  if (config.dryRun) {
    io.stdout.write(`${describePlan(plan)}\n`);
    return EXIT.passed;
  }
  const verified = await verifyScenario(config.target, config.scenario, config.timeoutMs);
  io.stderr.write(`verified ${verified.map((v) => `${v.name} → ${v.status}`).join(', ')}\n`);
  return measure(config, plan, io);
}

async function measure(config: RunConfig, plan: Phase[], io: CommandIO): Promise<ExitCode> {
  const startedAt = new Date();
  const monitor = new Monitor({ sutPids: config.sutPids, metricsUrl: config.metricsUrl, readyUrl: config.readyUrl });
  let result;
  try {
    result = await runPhases(plan, { ...config, monitor, progress: createProgress(io.stderr) });
  } finally {
    monitor.stop();
  }
  const view = aggregatePhases(result.phases);
  const checks = judgeThresholds(config.thresholds, view);
  const run = buildRunJson({
    id: createRunId('run', startedAt),
    kind: 'run',
    startedAt,
    finishedAt: new Date(),
    environment: collectEnvironment(),
    config: describeConfig(config),
    phases: result.phases,
    checks,
    kpiRows: buildKpiRows(view, config.thresholds, checks, 'run'),
  });
  const problems = validateRunJson(run);
  if (problems.length) throw new LoadlabError('LOADLAB_INTERNAL', EXIT.internal, `run.json does not match its schema: ${problems.join('; ')}`);
  const summary = renderSummary(run);
  const written = writeRun(config.outDir, run, { 'series.csv': renderSeriesCsv(result.series), 'summary.txt': `${summary}\n` });
  io.stderr.write(`\n${summary}\n\nresults: ${written.dir}\n`);
  if (config.json) io.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
  return run.passed ? EXIT.passed : EXIT.failed;
}
