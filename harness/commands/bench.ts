// `loadlab bench overhead|engine|workers`: options as data, run one bench, judge its figures, and finish the run
// (run.json, kpi.md) like every other command; the exit code goes back to the CLI.
import { redactUrl, rememberUrlSecrets } from '../../lib/redact.ts';
import { parseOptions, renderUsage, type OptionSpec, type ParsedOptions } from '../run/args.ts';
import { runEngineBench } from '../bench/engine.ts';
import { ENGINE_GOALS, judgeEngine, judgeOverhead, judgeWorkers, PROBE_RULE, RATE_SEARCH } from '../bench/judge.ts';
import { wholeSeconds } from '../bench/generators.ts';
import { runOverheadBench } from '../bench/overhead.ts';
import { runWorkersBench, WORKERS_WARMUP_SEC } from '../bench/workers.ts';
import type { PhaseResult } from '../engine/phase-result.ts';
import { UsageError, type ExitCode } from '../errors.ts';
import type { CommandIO } from '../io.ts';
import {
  describeEngine,
  describeOverhead,
  describeWorkers,
  renderBenchMarkdown,
  type BenchReport,
} from '../report/words/bench.ts';
import type { SeriesRow } from '../report/model.ts';
import { finishRun } from '../run/finish.ts';

const COMMON_OPTIONS: OptionSpec[] = [
  { name: 'out', type: 'string', valueName: 'DIR', default: 'results', description: 'results root folder' },
  { name: 'json', type: 'boolean', description: 'print run.json alone on stdout' },
];
const DATABASE_OPTION: OptionSpec = {
  name: 'database-url',
  type: 'string',
  valueName: 'URL',
  description: 'PostgreSQL to use (default $DATABASE_URL, else embedded)',
};
const CONNECTIONS_OPTION: OptionSpec = {
  name: 'connections',
  type: 'integer',
  valueName: 'N',
  default: 50,
  description: 'connections of every generator',
};
const WARM_IDS_OPTION: OptionSpec = {
  name: 'warm-ids',
  type: 'integer',
  valueName: 'N',
  default: 1000,
  description: 'warm reads spread over user ids 1..N',
};

/** What one bench hands to finishRun: its words, its phases (where our engine ran) and its effective config. */
interface BenchOutcome {
  report: BenchReport;
  config: Record<string, unknown>;
  phases?: PhaseResult[];
  series?: SeriesRow[];
}

interface BenchDefinition {
  summary: string;
  options: OptionSpec[];
  run(o: ParsedOptions, io: CommandIO): Promise<BenchOutcome>;
}

const BENCHES: Record<string, BenchDefinition> = {
  overhead: {
    summary: "the SUT's framework and cache overhead as req/s ratios to a bare node:http server",
    options: [
      {
        name: 'duration',
        type: 'duration',
        valueName: 'TIME',
        default: '15s',
        description: 'load per target, split over the rounds',
      },
      {
        name: 'rounds',
        type: 'integer',
        valueName: 'N',
        default: 5,
        description: 'interleaved rounds; each target keeps its median',
      },
      CONNECTIONS_OPTION,
      WARM_IDS_OPTION,
      DATABASE_OPTION,
    ],
    run: runOverhead,
  },
  engine: {
    summary:
      "our engines against the autocannon CLI, wrk and wrk2 on one target: the open model's honest rate, its " +
      "send precision, closed-model ratios, this process's RSS",
    options: [
      {
        name: 'quick',
        type: 'boolean',
        description: '1s measurements and probes (at most 3 per search), a 2s RSS run: a smoke run, not a figure',
      },
      { name: 'long', type: 'boolean', description: '10s closed measurements and 5s probes' },
      {
        name: 'duration',
        type: 'duration',
        valueName: 'TIME',
        description: 'each closed measurement (default 5s, 10s with --long, 1s with --quick)',
      },
      {
        name: 'probe-duration',
        type: 'duration',
        valueName: 'TIME',
        description: 'each open or wrk2 probe, whole seconds (default 3s, 5s with --long, 1s with --quick)',
      },
      {
        name: 'rss-duration',
        type: 'duration',
        valueName: 'TIME',
        description: 'the open run at the honest rate whose RSS is watched (default 2m, 2s with --quick)',
      },
      {
        name: 'threads',
        type: 'string',
        valueName: 'LIST',
        description: 'generator thread counts to search, e.g. 1,2 (default 1, and up to the cores the generator has)',
      },
      CONNECTIONS_OPTION,
    ],
    run: runEngine,
  },
  workers: {
    summary: 'warm cached reads from a 1-worker and a 2-worker SUT: req/s, speed-up and efficiency',
    options: [
      {
        name: 'duration',
        type: 'duration',
        valueName: 'TIME',
        default: '10s',
        description: 'measurement per SUT size',
      },
      CONNECTIONS_OPTION,
      WARM_IDS_OPTION,
      DATABASE_OPTION,
    ],
    run: runWorkers,
  },
};

export const BENCH_SUMMARY = 'micro-benchmarks of the SUT and of loadlab itself: overhead | engine | workers';

export const BENCH_USAGE = [
  'usage: loadlab bench <overhead|engine|workers> [options]',
  `  ${BENCH_SUMMARY}`,
  '',
  'benches:',
  ...Object.entries(BENCHES).map(([name, b]) => `  ${name.padEnd(8)}  ${b.summary}`),
  '',
  'loadlab bench <name> --help shows its options.',
].join('\n');

/** The usage that fits this command line: one bench's options once it is named, else the list of benches. */
export function benchUsageFor(argv: string[]): string {
  const name = argv[0];
  const bench = name !== undefined ? BENCHES[name] : undefined;
  return bench ? renderUsage(`bench ${name}`, bench.summary, optionsOf(bench)) : BENCH_USAGE;
}

export async function benchCommand(argv: string[], io: CommandIO): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined || name.startsWith('--')) throw new UsageError('bench: name one: overhead, engine or workers');
  const bench = BENCHES[name];
  if (!bench) throw new UsageError(`bench: unknown bench "${name}" (overhead, engine or workers)`);
  const options = parseOptions(rest, optionsOf(bench));
  const startedAt = new Date();
  const outcome = await bench.run(options, io);
  const finished = finishRun(
    {
      kind: `bench-${name}`,
      startedAt,
      config: { ...outcome.config, outDir: options.out },
      phases: outcome.phases ?? [],
      checks: outcome.report.checks,
      kpiRows: outcome.report.kpiRows,
      series: outcome.series ?? [],
      outDir: options.out as string,
      json: options.json === true,
      render: (run) => {
        const markdown = renderBenchMarkdown(run, outcome.report);
        return { files: { 'kpi.md': markdown }, stdout: markdown };
      },
    },
    io,
  );
  return finished.exitCode;
}

function optionsOf(bench: BenchDefinition): OptionSpec[] {
  return [...bench.options, ...COMMON_OPTIONS];
}

function databaseUrlOf(o: ParsedOptions): string | undefined {
  const url = (o['database-url'] as string | undefined) ?? (process.env.DATABASE_URL || undefined);
  rememberUrlSecrets(url);
  return url;
}

async function runOverhead(o: ParsedOptions, io: CommandIO): Promise<BenchOutcome> {
  const options = {
    durationSec: o.duration as number,
    rounds: o.rounds as number,
    connections: o.connections as number,
    warmIds: o['warm-ids'] as number,
  };
  const databaseUrl = databaseUrlOf(o);
  const figures = await runOverheadBench({ ...options, ...(databaseUrl ? { databaseUrl } : {}) }, io);
  const verdicts = judgeOverhead(figures.targets);
  const report = describeOverhead({
    ...options,
    verdicts,
    generator: figures.generator,
    sliceSec: figures.sliceSec,
    problems: figures.problems,
    ...(figures.pinning ? { pinning: figures.pinning } : {}),
  });
  const config = {
    bench: 'overhead',
    ...options,
    sliceSec: figures.sliceSec,
    generator: figures.generator,
    pinning: figures.pinning ?? 'none',
    databaseUrl: databaseUrl ? redactUrl(databaseUrl) : 'embedded',
  };
  return { report, config };
}

async function runWorkers(o: ParsedOptions, io: CommandIO): Promise<BenchOutcome> {
  const options = {
    durationSec: o.duration as number,
    connections: o.connections as number,
    warmIds: o['warm-ids'] as number,
  };
  const databaseUrl = databaseUrlOf(o);
  const figures = await runWorkersBench({ ...options, ...(databaseUrl ? { databaseUrl } : {}) }, io);
  const verdicts = judgeWorkers(figures.rates);
  const report = describeWorkers({
    ...options,
    verdicts,
    generator: figures.generator,
    warmupSec: WORKERS_WARMUP_SEC,
    problems: figures.problems,
  });
  const config = {
    bench: 'workers',
    ...options,
    warmupSec: WORKERS_WARMUP_SEC,
    workers: figures.rates.map((r) => r.workers),
    generator: figures.generator,
    databaseUrl: databaseUrl ? redactUrl(databaseUrl) : 'embedded',
  };
  return { report, config };
}

async function runEngine(o: ParsedOptions, io: CommandIO): Promise<BenchOutcome> {
  const quick = o.quick === true;
  const long = o.long === true;
  if (quick && long) throw new UsageError('--quick and --long: choose one');
  const pick = (normal: number, ifLong: number, ifQuick: number) => (quick ? ifQuick : long ? ifLong : normal);
  const threads = o.threads === undefined ? undefined : parseThreadList(o.threads as string);
  const options = {
    connections: o.connections as number,
    warmupSec: pick(2, 2, 1),
    baselineSec: pick(2, 2, 1),
    durationSec: (o.duration as number | undefined) ?? pick(5, 10, 1),
    precisionSec: pick(5, 5, 1),
    probeSec: wholeSeconds((o['probe-duration'] as number | undefined) ?? pick(3, 5, 1)),
    maxProbes: quick ? 3 : RATE_SEARCH.maxProbes,
    settleSec: pick(1, 1, 0.2),
    rssDurationSec: (o['rss-duration'] as number | undefined) ?? (quick ? 2 : 120),
    ...(threads ? { threads } : {}),
  };
  const run = await runEngineBench(options, io);
  const verdict = judgeEngine(run.figures);
  const report = describeEngine({
    ...options,
    figures: run.figures,
    verdict,
    goals: ENGINE_GOALS,
    probeRule: PROBE_RULE,
    openSearches: run.openSearches,
    ...(run.wrk2Probes ? { wrk2Probes: run.wrk2Probes } : {}),
    target: run.target,
    pinning: run.pinning,
    threads: run.threads,
    capRps: RATE_SEARCH.capRps,
    loadAverage: run.loadAverage,
  });
  const config = {
    bench: 'engine',
    quick,
    long,
    ...options,
    threads: run.threads,
    capRps: RATE_SEARCH.capRps,
    precisionRps: run.figures.precision.rateRps,
    target: run.target,
    pinning: run.pinning,
    tools: { wrk: run.tools.wrk ?? 'not on PATH', wrk2: run.tools.wrk2 ?? 'not on PATH' },
    loadAverage: run.loadAverage,
  };
  return { report, config, phases: run.phases, series: run.series };
}

/** `--threads 1,2,4`: positive whole numbers, each once, in the order given. */
export function parseThreadList(raw: string): number[] {
  const parts = raw.split(',').map((part) => part.trim());
  const counts = parts.map(Number);
  if (parts.some((part) => !/^\d+$/.test(part)) || counts.some((n) => n < 1))
    throw new UsageError(`--threads: expected thread counts like 1,2,4, got "${raw}"`);
  return [...new Set(counts)];
}
