// `loadlab selftest`: both engines against the oracle; prints expected vs measured and fails on any disagreement.
import { parseOptions, renderUsage, type OptionSpec } from '../run/args.ts';
import { EXIT, type ExitCode } from '../errors.ts';
import type { CommandIO } from '../io.ts';
import { renderTable } from '../report/summary.ts';
import { DEFAULT_CASES, runSelftestCaseWithRetry, type CaseOutcome } from '../selftest/cases.ts';
import { TOLERANCE } from '../selftest/expect.ts';

const SELFTEST_OPTIONS: OptionSpec[] = [
  { name: 'json', type: 'boolean', description: 'print the outcomes as JSON on stdout' },
];

export const SELFTEST_USAGE = renderUsage(
  'selftest',
  'run both engines against an oracle server with known timing',
  SELFTEST_OPTIONS,
);

export async function selftestCommand(argv: string[], io: CommandIO): Promise<ExitCode> {
  const options = parseOptions(argv, SELFTEST_OPTIONS);
  const outcomes: CaseOutcome[] = [];
  for (const c of DEFAULT_CASES) {
    io.stderr.write(`selftest: ${c.name} …\n`);
    outcomes.push(
      await runSelftestCaseWithRetry(c, (o) =>
        io.stderr.write(
          `selftest: ${c.name}: attempt ${o.attempts} failed while the machine disturbed the generator (event-loop stall ${o.generatorStallMs} ms, ${o.lateSends ?? 0} late sends); retrying\n`,
        ),
      ),
    );
  }
  io.stderr.write(`\n${renderSelftest(outcomes)}\n`);
  if (options.json) io.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
  return outcomes.every((o) => o.passed) ? EXIT.passed : EXIT.failed;
}

/** Expected vs measured per case and percentile, then counts (pure). */
export function renderSelftest(outcomes: CaseOutcome[]): string {
  const rows = outcomes.flatMap((o) =>
    o.comparisons.map((x) => [
      o.case.name,
      x.percentile,
      x.expectedMs.toFixed(1),
      x.measuredMs.toFixed(1),
      `±${x.toleranceMs.toFixed(1)}`,
      x.passed ? 'ok' : 'FAIL',
    ]),
  );
  const counts = outcomes.map((o) => [
    o.case.name,
    o.sent,
    o.completed,
    o.failed,
    o.inFlight,
    o.oracleCount,
    o.lateSends ?? '-',
    o.generatorStallMs,
    o.attempts,
    o.countsMatch ? 'ok' : 'FAIL',
  ]);
  const passed = outcomes.every((o) => o.passed);
  return [
    renderTable(['case', 'pct', 'expected ms', 'measured ms', 'tolerance', ''], rows),
    '',
    renderTable(
      ['case', 'sent', 'ok', 'failed', 'in flight', 'oracle saw', 'late sends', 'loop stall ms', 'attempts', ''],
      counts,
    ),
    '',
    `tolerance: ${TOLERANCE.relative * 100}% or ${TOLERANCE.absoluteMs} ms, whichever is larger; counts must equal what the oracle received`,
    `selftest ${passed ? 'PASSED' : 'FAILED'}`,
  ].join('\n');
}
