// `loadlab selftest`: both engines against the oracle; prints expected vs measured and a verdict per case:
// passed, failed, or flagged (the generator or the oracle could not keep time on this machine: not a pass).
// Exit 0 only when every case passed; 1 when any failed or was flagged.
import { performance } from 'node:perf_hooks';
import { parseOptions, renderUsage, type OptionSpec } from '../run/args.ts';
import { EXIT, type ExitCode } from '../errors.ts';
import type { CommandIO } from '../io.ts';
import { renderTable } from '../report/summary.ts';
import { closingLine, retryLine, verdictCell, verdictLine } from '../report/words/selftest.ts';
import { DEFAULT_CASES, runSelftestCaseWithRetry, type CaseOutcome, type SelftestCase } from '../selftest/cases.ts';
import { TOLERANCE_RULE, type Verdict } from '../selftest/expect.ts';
import { SATURATION_RULE } from '../engine/saturation.ts';

const SELFTEST_OPTIONS: OptionSpec[] = [
  { name: 'json', type: 'boolean', description: 'print the outcomes as JSON on stdout' },
];

export const SELFTEST_USAGE = renderUsage(
  'selftest',
  'run both engines against an oracle server with known timing',
  SELFTEST_OPTIONS,
);

/**
 * The whole self-test's time budget: a retry (of a flagged or disturbed attempt) starts only if it and one
 * attempt of every case still to run fit in it, so CI's run stays well under 90 s however busy the machine is.
 */
export const SELFTEST_BUDGET_SEC = 70;

export async function selftestCommand(argv: string[], io: CommandIO): Promise<ExitCode> {
  const options = parseOptions(argv, SELFTEST_OPTIONS);
  const startedAt = performance.now();
  const elapsedSec = (): number => (performance.now() - startedAt) / 1000;
  const outcomes: CaseOutcome[] = [];
  for (const [i, c] of DEFAULT_CASES.entries()) {
    io.stderr.write(`selftest: ${c.name} …\n`);
    const restSec = DEFAULT_CASES.slice(i + 1).reduce((sum, next) => sum + attemptSec(next), 0);
    outcomes.push(
      await runSelftestCaseWithRetry(c, {
        mayRetry: () => elapsedSec() + attemptSec(c) + restSec <= SELFTEST_BUDGET_SEC,
        onRetry: (o) => io.stderr.write(`${retryLine(c.name, o.attempts, o.verdict, o.reason)}\n`),
      }),
    );
  }
  io.stderr.write(`\n${renderSelftest(outcomes)}\n`);
  if (options.json) io.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
  return selftestExitCode(outcomes);
}

/** 0 only when every case passed; 1 when any failed or was flagged (a flagged case is not a pass). */
export function selftestExitCode(outcomes: Pick<CaseOutcome, 'verdict'>[]): ExitCode {
  return outcomes.every((o) => o.verdict === 'passed') ? EXIT.passed : EXIT.failed;
}

/** A generous estimate of one attempt: warm-up, run, and a second or two to start the oracle and drain. */
export function attemptSec(c: SelftestCase): number {
  return c.warmupSec + c.durationSec + 2;
}

const ms = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(3));

/** Expected vs measured per case and percentile, the counts, and a verdict line per case (pure). */
export function renderSelftest(outcomes: CaseOutcome[]): string {
  const rows = outcomes.flatMap((o) =>
    o.comparisons.map((x) => [
      o.case.name,
      x.percentile,
      x.expectedMs.toFixed(3),
      ms(x.oracleMs),
      x.measuredMs.toFixed(3),
      `${x.errorMs >= 0 ? '+' : ''}${x.errorMs.toFixed(3)}`,
      `±${x.toleranceMs.toFixed(3)}`,
      verdictCell(o.verdict, x.passed),
    ]),
  );
  const counts = outcomes.map((o) => [
    o.case.name,
    o.sent,
    o.completed,
    o.failed,
    o.inFlight,
    o.oracleCount,
    o.countsMatch ? 'ok' : 'FAIL',
    o.lateSends ?? '-',
    ms(o.sendLagP99Ms),
    o.eventLoopP99Ms.toFixed(1),
    o.oracleErrorMs.toFixed(3),
    o.attempts,
  ]);
  const tally: Record<Verdict, number> = { passed: 0, failed: 0, flagged: 0 };
  for (const o of outcomes) tally[o.verdict] += 1;
  return [
    renderTable(
      ['case', 'pct', 'expected ms', 'oracle held ms', 'measured ms', 'error ms', 'tolerance', 'verdict'],
      rows,
    ),
    '',
    renderTable(
      [
        'case',
        'sent',
        'ok',
        'failed',
        'in flight',
        'oracle saw',
        'counts',
        'late sends',
        'send lag p99',
        'loop p99',
        'oracle off ms',
        'attempts',
      ],
      counts,
    ),
    '',
    ...outcomes.map((o) => verdictLine(o.case.name, o.verdict, o.reason, o.attempts)),
    '',
    `tolerance: ${TOLERANCE_RULE}, for every percentile compared; counts must equal what the oracle received`,
    "expected: the oracle's timing model; for Poisson arrivals, the oracle's own record of how long it held that run's requests",
    `flagged (not a pass) when the generator was saturated — ${SATURATION_RULE} — or the oracle held a compared ` +
      `percentile off its own timing by more than half the tolerance`,
    closingLine(tally),
  ].join('\n');
}
