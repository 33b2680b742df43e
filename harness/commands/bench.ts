// `loadlab level0`…`level4`, `all`, `cache`, `stress`, `knee`: run the scaling ladder (or one bench), write results, return the exit code.
import { parseOptions, renderUsage } from '../args.ts';
import { EXIT, LoadlabError, type ExitCode } from '../errors.ts';
import type { CommandIO } from '../io.ts';
import type { SeriesRow } from '../engine/run-phases.ts';
import { collectEnvironment, createRunId } from '../report/environment.ts';
import { renderSeriesCsv } from '../report/series.ts';
import { renderSummary } from '../report/summary.ts';
import { validateRunJson } from '../report/validate.ts';
import { writeRun } from '../report/write.ts';
import { BENCH_OPTIONS, HIDDEN_OPTIONS, createLevelSettings, type LevelSettings } from '../levels/settings.ts';
import { buildBenchReport, ladderInputs, type BenchReportInputs } from '../levels/report.ts';
import { runLevel, type LevelDefinition } from '../levels/run-level.ts';
import type { LevelRun } from '../levels/level.ts';
import { LEVEL0 } from '../levels/level0.ts';
import { LEVEL1 } from '../levels/level1.ts';
import { LEVEL2 } from '../levels/level2.ts';

interface BenchCommand {
  usage: string;
  run(argv: string[], io: CommandIO): Promise<ExitCode>;
}

/** Which levels each ladder command runs, in order (level 1 needs level 0's throughput, level 4 level 2's). */
const LADDERS: Record<string, { summary: string; levels: LevelDefinition[] }> = {
  level0: { summary: 'Level 0: one worker, the baseline', levels: [LEVEL0] },
  level1: { summary: 'Level 1: N cluster workers, speed-up over Level 0 (runs Level 0 first)', levels: [LEVEL0, LEVEL1] },
  level2: { summary: 'Level 2: production config, rolling reloads (SIGHUP) under load', levels: [LEVEL2] },
};

export const BENCH_COMMANDS: Record<string, BenchCommand> = Object.fromEntries(
  Object.entries(LADDERS).map(([name, ladder]) => [
    name,
    { usage: renderUsage(name, ladder.summary, BENCH_OPTIONS), run: (argv: string[], io: CommandIO) => runLadder(name, ladder.levels, argv, io) },
  ]),
);

export const BENCH_SUMMARIES: [string, string][] = Object.entries(LADDERS).map(([name, l]) => [name, l.summary]);

export function parseBenchSettings(argv: string[]): Readonly<LevelSettings> {
  return createLevelSettings(parseOptions(argv, [...BENCH_OPTIONS, ...HIDDEN_OPTIONS]));
}

async function runLadder(name: string, levels: LevelDefinition[], argv: string[], io: CommandIO): Promise<ExitCode> {
  const settings = parseBenchSettings(argv);
  const startedAt = new Date();
  const series: SeriesRow[] = [];
  const previous = new Map<string, LevelRun>();
  for (const def of levels) previous.set(def.key, await runLevel(def, settings, { io, series, previous }));
  const runs = [...previous.values()];
  return finishBench({ kind: `bench-${name}`, startedAt, settings, ...ladderInputs(runs) }, series, io);
}

export type FinishInputs = Omit<BenchReportInputs, 'id' | 'finishedAt' | 'environment'>;

/** Assembles, validates, writes and prints one bench run; the exit code follows its checks. */
export function finishBench(inputs: FinishInputs, series: SeriesRow[], io: CommandIO, extraSeriesCsv?: string): ExitCode {
  const { run, kpiMarkdown } = buildBenchReport({ ...inputs, id: createRunId(inputs.kind, inputs.startedAt), finishedAt: new Date(), environment: collectEnvironment() });
  const problems = validateRunJson(run);
  if (problems.length) throw new LoadlabError('LOADLAB_INTERNAL', EXIT.internal, `run.json does not match its schema: ${problems.join('; ')}`);
  const summary = renderSummary(run);
  const written = writeRun(inputs.settings.outDir, run, {
    'kpi.md': kpiMarkdown,
    'series.csv': extraSeriesCsv ?? renderSeriesCsv(series),
    'summary.txt': `${summary}\n`,
  });
  io.stderr.write(`\n${summary}\n\nresults: ${written.dir}\n\n`);
  io.stdout.write(inputs.settings.json ? `${JSON.stringify(run, null, 2)}\n` : kpiMarkdown);
  return run.passed ? EXIT.passed : EXIT.failed;
}
