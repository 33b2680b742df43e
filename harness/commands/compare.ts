// Judging a change: `loadlab ab` (A and B side by side, trials interleaved), `loadlab compare` (any two runs or
// baselines), `loadlab baseline save`, and `loadlab noise` (the run-to-run spread per KPI on this machine).
import { join } from 'node:path';
import { EXIT, UsageError, type ExitCode } from '../errors.ts';
import type { CommandIO } from '../io.ts';
import { parseOptions, renderUsage, type OptionSpec, type ParsedOptions } from '../run/args.ts';
import { createRunConfig, RUN_OPTIONS } from '../run/config.ts';
import { HIDDEN_OPTIONS, LADDER_OPTIONS, createLevelSettings } from '../run/ladder-config.ts';
import { TOLERANCE_OPTION } from '../run/trial-options.ts';
import { createRunId } from '../report/environment.ts';
import { writeResultFiles } from '../report/write.ts';
import { renderCompareMarkdown, renderNoiseMarkdown } from '../report/compare-table.ts';
import type { CompareJson } from '../report/compare-model.ts';
import {
  buildCompare,
  buildNoise,
  loadRunOrBaseline,
  parseTolerances,
  saveBaseline,
  type LoadedRun,
} from '../run/compare.ts';
import { measureCalibration } from '../run/calibration.ts';
import { balancedOrder, createTurns, stepsOf, type Side } from '../run/turns.ts';
import type { FinishedRun } from '../run/finish.ts';
import { executeRun } from './run.ts';
import { runLadder } from './ladder.ts';
import { planJudgement, writeCompare } from './judge-change.ts';

/** The levels ab and noise take: one deployment each (level1 and level4 run a baseline level first). */
const SINGLE_LEVELS = ['level0', 'level2', 'level3'];

const OUT_OPTION: OptionSpec = {
  name: 'out',
  type: 'string',
  valueName: 'DIR',
  default: 'results',
  description: 'results root folder (baselines are under DIR/baselines)',
};
const NOISE_OPTION: OptionSpec = {
  name: 'noise',
  type: 'string',
  valueName: 'REF',
  description: "a run folder or baseline with noise.json: its spread instead of A's own or the built-in one",
};
const COMPARE_OPTIONS: OptionSpec[] = [
  TOLERANCE_OPTION,
  NOISE_OPTION,
  OUT_OPTION,
  { name: 'json', type: 'boolean', description: 'print compare.json' },
];
const BASELINE_OPTIONS: OptionSpec[] = [
  { name: 'name', type: 'string', valueName: 'NAME', description: 'the baseline name (letters, digits, . _ -)' },
  OUT_OPTION,
];

const AB_OPTIONS: OptionSpec[] = [
  { name: 'b-sut-env', type: 'string', valueName: 'K=V', repeatable: true, description: "B's extra SUT environment" },
  { name: 'b-workers', type: 'integer', valueName: 'N', description: "B's SUT workers (default: A's)" },
  { name: 'a-target', type: 'string', valueName: 'URL', description: "A: this running deployment (run: A's target)" },
  { name: 'b-target', type: 'string', valueName: 'URL', description: "B: this running deployment (run: B's target)" },
  NOISE_OPTION,
];

export const AB_SUMMARY = 'A/B: deploy A and B side by side, interleave their trials, judge B against A';
export const COMPARE_SUMMARY = 'judge one run (or baseline) against another, KPI by KPI';
export const BASELINE_SUMMARY = 'save a run folder as a baseline under results/baselines/NAME';
export const NOISE_SUMMARY = "measure each KPI's run-to-run spread on this machine (--trials N ≥ 3)";

export const AB_USAGE = [
  'usage: loadlab ab <level0|level2|level3|run> [options] --trials N',
  `  ${AB_SUMMARY}; writes results/<id>/compare.json, compare.md and A's and B's runs;`,
  '  exit 0 when no judged KPI is worse, 1 when one is. The level (or run) options apply to both sides; then:',
  '',
  renderUsage('ab', '', AB_OPTIONS).split('\n').slice(3).join('\n'),
  '',
  "The level's own options: loadlab <level> --help (run's: loadlab run --help).",
].join('\n');

export const COMPARE_USAGE = renderUsage(
  'compare <A: baseline name or run folder> <B: run folder>',
  `${COMPARE_SUMMARY}; exit 0 when no judged KPI is worse, 1 when one is`,
  COMPARE_OPTIONS,
);

export const BASELINE_USAGE = renderUsage('baseline save <run-folder> --name NAME', BASELINE_SUMMARY, BASELINE_OPTIONS);

export const NOISE_USAGE = [
  renderUsage('noise <level0|level2|level3|run> --trials N', NOISE_SUMMARY, []),
  '  Takes the level (or run) options; writes noise.json and noise.md beside run.json; with --save-baseline the',
  '  baseline keeps the noise floor, and compare uses it for tolerances and to say what the trials can detect.',
].join('\n');

/** Leading arguments before the first option. */
function positionals(argv: string[], count: number, usage: string): { args: string[]; rest: string[] } {
  const args: string[] = [];
  let i = 0;
  while (i < argv.length && args.length < count && !argv[i]!.startsWith('--')) args.push(argv[i++]!);
  if (args.length < count) throw new UsageError(`expected ${usage}`);
  return { args, rest: argv.slice(i) };
}

export async function compareCommand(argv: string[], io: CommandIO): Promise<ExitCode> {
  const { args, rest } = positionals(argv, 2, 'two runs: loadlab compare <A> <B>');
  const o = parseOptions(rest, COMPARE_OPTIONS);
  const outDir = o.out as string;
  const a = loadRunOrBaseline(args[0]!, outDir);
  const b = loadRunOrBaseline(args[1]!, outDir);
  const compare = judge(a, b, o, outDir);
  const dir = join(outDir, compare.id);
  writeCompare(dir, compare);
  return report(compare, dir, o.json === true, io);
}

export async function baselineCommand(argv: string[], io: CommandIO): Promise<ExitCode> {
  const { args, rest } = positionals(argv, 2, 'loadlab baseline save <run-folder> --name NAME');
  if (args[0] !== 'save') throw new UsageError(`unknown baseline action "${args[0]}" (expected: save)`);
  const o = parseOptions(rest, BASELINE_OPTIONS);
  if (o.name === undefined) throw new UsageError('--name: required (the baseline name)');
  const dir = saveBaseline(args[1]!, o.name as string, o.out as string);
  io.stderr.write(`baseline saved: ${dir} (commit it; levels compare with --baseline ${o.name as string})\n`);
  return EXIT.passed;
}

export async function noiseCommand(argv: string[], io: CommandIO): Promise<ExitCode> {
  const { args, rest } = positionals(argv, 1, 'a level: loadlab noise <level0|level2|level3|run> --trials N');
  const kind = args[0]!;
  checkKind(kind);
  const specs = kind === 'run' ? RUN_OPTIONS : [...LADDER_OPTIONS, ...HIDDEN_OPTIONS];
  const o = parseOptions(rest, specs);
  if ((o.trials as number) < 3)
    throw new UsageError('--trials: noise needs at least 3 trials (10 give a useful floor)');
  const outDir = o.out as string;
  const judgement = planJudgement(o, outDir);
  const finished =
    kind === 'run' ? await executeRun(createRunConfig(o), io) : await runLadder(kind, createLevelSettings(o), io);
  const noise = buildNoise(finished.run, parseTolerances((o.tolerance as string[] | undefined) ?? []));
  const markdown = renderNoiseMarkdown(noise);
  writeResultFiles(finished.dir, { 'noise.json': `${JSON.stringify(noise, null, 2)}\n`, 'noise.md': markdown });
  io.stderr.write(`\n${markdown}\nnoise: ${join(finished.dir, 'noise.json')}\n`);
  if (o.json !== true) io.stdout.write(markdown);
  return judgement.after(finished, io);
}

export async function abCommand(argv: string[], io: CommandIO): Promise<ExitCode> {
  const { args, rest } = positionals(argv, 1, 'a level: loadlab ab <level0|level2|level3|run> [options]');
  const kind = args[0]!;
  checkKind(kind);
  const specs = [...(kind === 'run' ? RUN_OPTIONS : [...LADDER_OPTIONS, ...HIDDEN_OPTIONS]), ...AB_OPTIONS];
  const o = parseOptions(rest, specs);
  for (const flag of ['baseline', 'save-baseline'])
    if (o[flag] !== undefined) throw new UsageError(`--${flag}: not for ab (compare the sides' runs afterwards)`);
  const outDir = o.out as string;
  const id = createRunId('ab', new Date());
  const root = join(outDir, id);
  const sides = sideOptions(o, root);
  const trials = o.trials as number;
  const order = balancedOrder(stepsOf(kind === 'run' ? 'run' : 'level', trials, o.fresh === true));
  const turns = createTurns(order, (side, step) => io.stderr.write(`ab: ${side} ${step}\n`));
  io.stderr.write(
    `ab: ${id}: ${trials} trial${trials === 1 ? '' : 's'} a side, interleaved (${order
      .filter(([, s]) => s.startsWith('trial'))
      .map(([side]) => side)
      .join(' ')})\n`,
  );
  const calibration = await measureCalibration({ durationSec: 2 });
  const quiet: CommandIO = { ...io, stdout: io.stderr };
  const runSide = (side: Side): Promise<FinishedRun> => {
    const options = sides[side];
    const turn = turns[side];
    const run =
      kind === 'run'
        ? executeRun(createRunConfig(options), quiet, { turn, calibration })
        : runLadder(kind, createLevelSettings(options), quiet, { turn, calibration });
    return run.catch((error: unknown) => {
      turns.fail(error);
      throw error;
    });
  };
  const [a, b] = await Promise.allSettled([runSide('A'), runSide('B')]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  const loaded = (f: FinishedRun): LoadedRun => ({ run: f.run, dir: f.dir, source: f.dir });
  const compare = { ...judge(loaded(a.value), loaded(b.value), o, outDir, true), id };
  writeCompare(root, compare);
  return report(compare, root, o.json === true, io);
}

/** A's and B's options: the shared ones, then each side's target, and B's own SUT environment and workers. */
function sideOptions(o: ParsedOptions, root: string): Record<Side, ParsedOptions> {
  const common = { ...o, json: false, out: undefined };
  const a: ParsedOptions = {
    ...common,
    out: join(root, 'a'),
    target: o['a-target'] ?? o.target,
  };
  const b: ParsedOptions = {
    ...common,
    out: join(root, 'b'),
    target: o['b-target'] ?? o.target,
    'sut-env': [...((o['sut-env'] as string[] | undefined) ?? []), ...((o['b-sut-env'] as string[] | undefined) ?? [])],
    workers: o['b-workers'] ?? o.workers,
  };
  return { A: a, B: b };
}

function checkKind(kind: string): void {
  if (kind !== 'run' && !SINGLE_LEVELS.includes(kind))
    throw new UsageError(
      `"${kind}": expected ${SINGLE_LEVELS.join(', ')} or run (level1 and level4 run a baseline level first: compare their runs with loadlab compare)`,
    );
}

function judge(a: LoadedRun, b: LoadedRun, o: ParsedOptions, outDir: string, interleaved = false): CompareJson {
  const tolerances = parseTolerances((o.tolerance as string[] | undefined) ?? []);
  const noiseRef = o.noise as string | undefined;
  const noise = noiseRef !== undefined ? loadRunOrBaseline(noiseRef, outDir).noise : undefined;
  if (noiseRef !== undefined && !noise)
    throw new UsageError(`--noise: ${noiseRef} has no noise.json (made by loadlab noise)`);
  return buildCompare(a, b, { tolerances, interleaved, ...(noise ? { noise } : {}) });
}

function report(compare: CompareJson, dir: string, json: boolean, io: CommandIO): ExitCode {
  const markdown = renderCompareMarkdown(compare);
  io.stderr.write(`\nresults: ${dir}\n`);
  io.stdout.write(json ? `${JSON.stringify(compare, null, 2)}\n` : markdown);
  return compare.passed ? EXIT.passed : EXIT.failed;
}
