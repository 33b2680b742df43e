// `loadlab level0`…`level4`, `all`, `cache`, `stress`, `knee`: run the scaling ladder (or one analysis), write results, return the exit code.
import { parseOptions, renderUsage } from '../run/args.ts';
import type { ExitCode } from '../errors.ts';
import type { CommandIO } from '../io.ts';
import type { SeriesRow, SideRequests } from '../report/model.ts';
import { renderSeriesCsv } from '../report/series.ts';
import { finishRun, sumSideRequests, type FinishedRun, type FinishInputs } from '../run/finish.ts';
import { UsageError } from '../errors.ts';
import type { CalibrationReport } from '../report/model.ts';
import { buildTrialReport } from '../report/trials.ts';
import { wordLevel } from '../report/words.ts';
import { measureCalibration } from '../run/calibration.ts';
import { planJudgement } from './judge-change.ts';
import { LADDER_OPTIONS, HIDDEN_OPTIONS, createLevelSettings, type LevelSettings } from '../run/ladder-config.ts';
import { analysisInputs, buildLadderReport, ladderInputs, type LadderReportInputs } from '../report/ladder-report.ts';
import { runLevel, type LevelDefinition } from '../ladder/run-level.ts';
import type { LevelRun, Turn } from '../ladder/level.ts';
import { LEVEL0 } from '../ladder/level0.ts';
import { LEVEL1 } from '../ladder/level1.ts';
import { LEVEL2 } from '../ladder/level2.ts';
import { LEVEL3 } from '../ladder/level3.ts';
import { LEVEL4 } from '../ladder/level4.ts';
import type { OptionSpec, ParsedOptions } from '../run/args.ts';
import { runCacheAnalysis, runKneeAnalysis, runStressAnalysis, type AnalysisRun } from '../ladder/analyses.ts';
import type { PhaseResult } from '../engine/phase-result.ts';
import { DEFAULT_SLO } from '../ladder/stress.ts';
import { DEFAULT_KNEE } from '../ladder/knee.ts';
import { appendQueueColumns, type QueueDepth } from '../ladder/queue.ts';

interface LadderCommand {
  usage: string;
  run(argv: string[], io: CommandIO): Promise<ExitCode>;
}

/**
 * Which levels each ladder command runs, in order. Level 1 needs Level 0's throughput and Level 4 Level 2's: they run
 * as baselines first, except with --target, where loadlab cannot start a different deployment to compare with.
 */
const LADDERS: Record<string, { summary: string; levels: LevelDefinition[]; baselines?: string[] }> = {
  level0: { summary: 'Level 0: one worker, the baseline', levels: [LEVEL0] },
  level1: {
    summary: 'Level 1: N cluster workers, speed-up over Level 0 (runs Level 0 first)',
    levels: [LEVEL0, LEVEL1],
    baselines: ['level0'],
  },
  level2: { summary: 'Level 2: production config, rolling reloads (SIGHUP) under load', levels: [LEVEL2] },
  level3: { summary: 'Level 3: background jobs on Redis: enqueue and processing rates, queue depth', levels: [LEVEL3] },
  level4: {
    summary: 'Level 4: M nodes behind nginx/HAProxy: distribution, efficiency vs M × Level 2 (runs Level 2 first)',
    levels: [LEVEL2, LEVEL4],
    baselines: ['level2'],
  },
  all: { summary: 'the whole ladder, Levels 0–4, in one KPI table', levels: [LEVEL0, LEVEL1, LEVEL2, LEVEL3, LEVEL4] },
};

const PATH_OPTION: OptionSpec = {
  name: 'path',
  type: 'string',
  valueName: 'PATH',
  description: 'load GET PATH instead of the standard mix (any HTTP server, with --target)',
};
const STEP_OPTION = (what: string): OptionSpec => ({
  name: 'step-duration',
  type: 'duration',
  valueName: 'TIME',
  description: `length of each ${what} (default 10s, 3s with --quick)`,
});

const STRESS_OPTIONS: OptionSpec[] = [
  {
    name: 'slo-error-rate',
    type: 'number',
    valueName: 'PCT',
    default: DEFAULT_SLO.errorRatePct,
    description: 'SLO: highest error rate in %',
  },
  {
    name: 'slo-p99',
    type: 'duration',
    valueName: 'TIME',
    default: `${DEFAULT_SLO.p99Ms}ms`,
    description: 'SLO: highest p99 latency',
  },
  {
    name: 'start-rate',
    type: 'number',
    valueName: 'R',
    description: 'first probe rate (default: half the closed phase throughput)',
  },
  { name: 'max-rate', type: 'number', valueName: 'R', default: 100_000, description: 'stop doubling at this rate' },
  {
    name: 'precision',
    type: 'number',
    valueName: 'F',
    default: 0.05,
    description: 'stop when the bracket is within this fraction',
  },
  STEP_OPTION('probe'),
  PATH_OPTION,
];

const KNEE_OPTIONS: OptionSpec[] = [
  {
    name: 'max-connections',
    type: 'integer',
    valueName: 'N',
    default: DEFAULT_KNEE.maxConnections,
    description: 'end of the sweep',
  },
  {
    name: 'min-gain',
    type: 'number',
    valueName: 'PCT',
    default: DEFAULT_KNEE.minGainPct,
    description: 'a doubling that gains less throughput than this (%) ends the sweep',
  },
  STEP_OPTION('step'),
  PATH_OPTION,
];

type Analysis = (s: LevelSettings, o: ParsedOptions, io: CommandIO, series: SeriesRow[]) => Promise<AnalysisRun>;

const stepSec = (s: LevelSettings, o: ParsedOptions) =>
  (o['step-duration'] as number | undefined) ?? (s.quick ? 3 : 10);

const ANALYSES: Record<string, { summary: string; options: OptionSpec[]; run: Analysis }> = {
  cache: {
    summary: 'cold vs warm cache: flush, run, run again; speed-up and hit rates',
    options: [],
    run: (s, _o, io, series) => runCacheAnalysis(s, io, series),
  },
  stress: {
    summary: 'search the arrival rate for the highest rate meeting the SLO',
    options: STRESS_OPTIONS,
    run: (s, o, io, series) =>
      runStressAnalysis(
        s,
        { errorRatePct: o['slo-error-rate'] as number, p99Ms: (o['slo-p99'] as number) * 1000 },
        {
          ...(o['start-rate'] !== undefined ? { startRps: o['start-rate'] as number } : {}),
          maxRps: o['max-rate'] as number,
          precision: o.precision as number,
          minRps: 1,
        },
        stepSec(s, o),
        o.path as string | undefined,
        io,
        series,
      ),
  },
  knee: {
    summary: 'closed-model concurrency sweep 1, 2, 4, … to the knee',
    options: KNEE_OPTIONS,
    run: (s, o, io, series) =>
      runKneeAnalysis(
        s,
        { maxConnections: o['max-connections'] as number, minGainPct: o['min-gain'] as number },
        stepSec(s, o),
        o.path as string | undefined,
        io,
        series,
      ),
  },
};

export const LADDER_COMMANDS: Record<string, LadderCommand> = {
  ...Object.fromEntries(
    Object.entries(LADDERS).map(([name, ladder]) => [
      name,
      {
        usage: renderUsage(name, ladder.summary, LADDER_OPTIONS),
        run: async (argv: string[], io: CommandIO) => {
          const { settings, options } = parseLadderSettings(argv);
          const judgement = planJudgement(options, settings.outDir);
          return judgement.after(await runLadder(name, settings, io), io);
        },
      },
    ]),
  ),
  ...Object.fromEntries(
    Object.entries(ANALYSES).map(([name, analysis]) => [
      name,
      {
        usage: renderUsage(name, analysis.summary, [...LADDER_OPTIONS, ...analysis.options]),
        run: (argv: string[], io: CommandIO) => runAnalysisCommand(name, analysis, argv, io),
      },
    ]),
  ),
};

export const LADDER_SUMMARIES: [string, string][] = [...Object.entries(LADDERS), ...Object.entries(ANALYSES)].map(
  ([name, l]) => [name, l.summary],
);

export function parseLadderSettings(
  argv: string[],
  extra: OptionSpec[] = [],
): { settings: Readonly<LevelSettings>; options: ParsedOptions } {
  const options = parseOptions(argv, [...LADDER_OPTIONS, ...extra, ...HIDDEN_OPTIONS]);
  return { settings: createLevelSettings(options), options };
}

async function runAnalysisCommand(
  name: string,
  analysis: (typeof ANALYSES)[string],
  argv: string[],
  io: CommandIO,
): Promise<ExitCode> {
  const { settings, options } = parseLadderSettings(argv, analysis.options);
  for (const flag of ['baseline', 'save-baseline', 'tolerance', 'fresh'])
    if (options[flag] !== undefined) throw new UsageError(`--${flag}: not for ${name} (levels and run only)`);
  if (settings.trials > 1) throw new UsageError(`--trials: not for ${name} (levels and run only)`);
  const startedAt = new Date();
  const series: SeriesRow[] = [];
  const outcome = await analysis.run(settings, options, io, series);
  const side = sumSideRequests([outcome.side]);
  return finishLadder(`bench-${name}`, startedAt, settings, outcome.phases, analysisInputs(outcome), series, io, side)
    .exitCode;
}

export interface LadderOptions {
  /** ab: waits for this side's turn before each deployment, warm-up, trial and stop. */
  turn?: Turn;
  /** Measured once for both sides of an ab run; else measured here, before any deployment. */
  calibration?: CalibrationReport;
}

/** Runs a ladder command's levels and writes its results folder (the part `ab` and `noise` share). */
export async function runLadder(
  name: string,
  settings: Readonly<LevelSettings>,
  io: CommandIO,
  o: LadderOptions = {},
): Promise<FinishedRun> {
  const ladder = LADDERS[name];
  if (!ladder) throw new UsageError(`unknown level "${name}"`);
  const baselines = ladder.baselines ?? [];
  const levels = settings.target ? ladder.levels.filter((def) => !baselines.includes(def.key)) : ladder.levels;
  const calibration = o.calibration ?? (await measureCalibration({ durationSec: settings.quick ? 1 : 2 }));
  const startedAt = new Date();
  const series: SeriesRow[] = [];
  const previous = new Map<string, LevelRun>();
  const queueByRow = new Map<number, QueueDepth>();
  const context = { io, series, previous, queueByRow, ...(o.turn ? { turn: o.turn } : {}) };
  for (const def of levels) previous.set(def.key, await runLevel(def, settings, context));
  const runs = [...previous.values()];
  const csv = queueByRow.size ? appendQueueColumns(renderSeriesCsv(series), queueByRow) : undefined;
  const phases = runs.flatMap((r) => r.measured.phases);
  const side = sumSideRequests(runs.map((r) => r.measured.side));
  const trials = runs.flatMap((r) =>
    r.trials.map((t, i) =>
      buildTrialReport({
        trial: i + 1,
        group: r.key,
        core: t.measured.core,
        endpoints: t.measured.open.endpoints,
        extras: wordLevel(t.figures).extras,
      }),
    ),
  );
  return finishLadder(
    `bench-${name}`,
    startedAt,
    settings,
    phases,
    ladderInputs(runs),
    series,
    io,
    side,
    csv,
    {
      'sut.log': renderSutLog(runs),
    },
    { trials, calibration },
  );
}

/** Each level's SUT output under its own heading (written redacted, like every result file); empty with --target. */
function renderSutLog(runs: Pick<LevelRun, 'key' | 'deployment' | 'sutLog'>[]): string {
  return runs
    .filter((r) => r.sutLog?.length)
    .map((r) => `# ${r.key}: ${r.deployment}\n${r.sutLog!.join('\n')}\n`)
    .join('\n');
}

/** Finishes a ladder or analysis run: KPI rows and kpi.md from its columns, then the one finishRun. */
function finishLadder(
  kind: string,
  startedAt: Date,
  settings: LevelSettings,
  phases: PhaseResult[],
  inputs: Omit<LadderReportInputs, 'settings'>,
  series: SeriesRow[],
  io: CommandIO,
  side: { verification?: SideRequests; probes?: SideRequests },
  seriesCsv?: string,
  files: Record<string, string> = {},
  extra: Pick<FinishInputs, 'trials' | 'calibration'> = {},
): FinishedRun {
  const report = buildLadderReport({ ...inputs, settings });
  const finished = finishRun(
    {
      kind,
      startedAt,
      config: report.config,
      phases,
      checks: inputs.checks,
      kpiRows: report.kpiRows,
      series,
      ...side,
      ...extra,
      ...(seriesCsv ? { seriesCsv } : {}),
      outDir: settings.outDir,
      json: settings.json,
      render: (run) => {
        const markdown = report.renderKpiMarkdown(run);
        const written = Object.fromEntries(Object.entries(files).filter(([, text]) => text !== ''));
        return { files: { 'kpi.md': markdown, ...written }, stdout: markdown };
      },
    },
    io,
  );
  return finished;
}
