// loadlab's command line: argv → command → exit code; the one place that catches errors and exits.
import { pathToFileURL } from 'node:url';
import { ERRORS, EXIT, LoadlabError, UsageError, type ErrorCode, type ExitCode } from './errors.ts';
import { createProcessIO, type CommandIO } from './io.ts';
import { runCommand, RUN_USAGE } from './commands/run.ts';
import { selftestCommand, SELFTEST_USAGE } from './commands/selftest.ts';
import { LADDER_COMMANDS, LADDER_SUMMARIES } from './commands/ladder.ts';
import { benchCommand, benchUsageFor, BENCH_SUMMARY, BENCH_USAGE } from './commands/bench.ts';
import {
  abCommand,
  AB_SUMMARY,
  AB_USAGE,
  baselineCommand,
  BASELINE_SUMMARY,
  BASELINE_USAGE,
  compareCommand,
  COMPARE_SUMMARY,
  COMPARE_USAGE,
  noiseCommand,
  NOISE_SUMMARY,
  NOISE_USAGE,
} from './commands/compare.ts';

interface Command {
  usage: string;
  /** A command with subcommands (bench) fits its usage to the rest of the command line. */
  usageFor?(argv: string[]): string;
  run(argv: string[], io: CommandIO): Promise<ExitCode>;
}

const COMMANDS: Record<string, Command> = {
  run: { usage: RUN_USAGE, run: runCommand },
  selftest: { usage: SELFTEST_USAGE, run: selftestCommand },
  ...LADDER_COMMANDS,
  bench: { usage: BENCH_USAGE, usageFor: benchUsageFor, run: benchCommand },
  ab: { usage: AB_USAGE, run: abCommand },
  compare: { usage: COMPARE_USAGE, run: compareCommand },
  baseline: { usage: BASELINE_USAGE, run: baselineCommand },
  noise: { usage: NOISE_USAGE, run: noiseCommand },
};

const MAIN_USAGE = [
  'usage: loadlab <command> [options]',
  '',
  'commands:',
  '  run       load a target and measure it',
  '  selftest  check the engines against an oracle server with known timing',
  ...LADDER_SUMMARIES.map(([n, d]) => `  ${n.padEnd(8)}  ${d}`),
  `  bench     ${BENCH_SUMMARY}`,
  `  ab        ${AB_SUMMARY}`,
  `  compare   ${COMPARE_SUMMARY}`,
  `  baseline  ${BASELINE_SUMMARY}`,
  `  noise     ${NOISE_SUMMARY}`,
  '',
  'loadlab <command> --help shows its options.',
].join('\n');

/** Runs one command line; never exits, never throws: returns the exit code. */
export async function main(argv: string[], io: CommandIO = createProcessIO()): Promise<ExitCode> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!name || name === '--help' || name === 'help') {
    io.stdout.write(`${MAIN_USAGE}\n`);
    return name ? EXIT.passed : EXIT.usage;
  }
  if (!command) return reportUsage(io, new UsageError(`unknown command "${name}"`), MAIN_USAGE);
  const usage = command.usageFor?.(rest) ?? command.usage;
  if (rest.includes('--help')) {
    io.stdout.write(`${usage}\n`);
    return EXIT.passed;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof LoadlabError && error.exitCode === EXIT.usage))
      return reportUsage(io, error, usage);
    if (error instanceof LoadlabError) {
      io.stderr.write(`loadlab: ${error.message} [${error.code}]\n`);
      return error.exitCode;
    }
    const internal: ErrorCode = 'LOADLAB_INTERNAL';
    io.stderr.write(`loadlab: internal error [${internal}]: ${(error as Error)?.stack ?? String(error)}\n`);
    return ERRORS[internal].exit;
  }
}

function reportUsage(io: CommandIO, error: LoadlabError, usage: string): ExitCode {
  io.stderr.write(`loadlab: ${error.message} [${error.code}]\n\n${usage}\n`);
  return EXIT.usage;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
  // Open handles (sockets in TIME_WAIT, child processes already reaped) must not keep a finished run alive.
  process.exit(process.exitCode);
}
