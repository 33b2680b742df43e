import { describe, expect, it } from 'vitest';
import { renderSelftest, selftestExitCode } from '../../../harness/commands/selftest.ts';
import type { CaseOutcome } from '../../../harness/selftest/cases.ts';
import { comparePercentiles, judgeCase } from '../../../harness/selftest/expect.ts';
import { EXIT } from '../../../harness/errors.ts';

const fast = { serviceMs: 2, stallPeriodMs: 500, stallMs: 50 };

function outcome(name: string, measured: [number, number, number], over: Partial<CaseOutcome> = {}): CaseOutcome {
  const [p50, p95, p99] = measured;
  const comparisons = comparePercentiles(fast, { p50, p90: 0, p95, p99, p999: 0 }, ['p50', 'p95', 'p99'], {
    p50: 2.05,
    p90: 0,
    p95: 27.1,
    p99: 47.1,
    p999: 0,
  });
  const flagReasons = over.verdict === 'flagged' ? ['13 of 1000 sends (1.3%) left over 2 ms late (> 1%)'] : [];
  const judged = judgeCase({ comparisons, sent: 1000, oracleCount: 1000, failed: 0, flagReasons });
  return {
    case: { name, timing: fast, model: 'open', targetRps: 2000, durationSec: 5, warmupSec: 1 },
    comparisons,
    sent: 1000,
    completed: 1000,
    failed: 0,
    inFlight: 0,
    oracleCount: 1000,
    countsMatch: true,
    lateSends: 4,
    sendLagP99Ms: 0.31,
    generatorStallMs: 3,
    eventLoopP99Ms: 1.2,
    oracleErrorMs: 0.1,
    attempts: 1,
    ...judged,
    ...over,
  };
}

describe('loadlab selftest output', () => {
  it('renders expected vs measured, error, tolerance and a verdict per case', () => {
    const text = renderSelftest([
      outcome('passes', [2.3, 27.6, 47.9], { attempts: 2 }),
      outcome('fails', [2.6, 27.6, 47.9]),
      outcome('flagged', [3.1, 29, 47.9], { verdict: 'flagged', lateSends: 13 }),
    ]);
    expect(text).toMatchInlineSnapshot(`
      "case     pct  expected ms  oracle held ms  measured ms  error ms  tolerance  verdict
      passes   p50        2.000           2.050        2.300    +0.300     ±0.500       ok
      passes   p95       27.000          27.100       27.600    +0.600     ±1.350       ok
      passes   p99       47.000          47.100       47.900    +0.900     ±2.350       ok
      fails    p50        2.000           2.050        2.600    +0.600     ±0.500     FAIL
      fails    p95       27.000          27.100       27.600    +0.600     ±1.350       ok
      fails    p99       47.000          47.100       47.900    +0.900     ±2.350       ok
      flagged  p50        2.000           2.050        3.100    +1.100     ±0.500  flagged
      flagged  p95       27.000          27.100       29.000    +2.000     ±1.350  flagged
      flagged  p99       47.000          47.100       47.900    +0.900     ±2.350  flagged

      case     sent    ok  failed  in flight  oracle saw  counts  late sends  send lag p99  loop p99  oracle off ms  attempts
      passes   1000  1000       0          0        1000      ok           4         0.310       1.2          0.100         2
      fails    1000  1000       0          0        1000      ok           4         0.310       1.2          0.100         1
      flagged  1000  1000       0          0        1000      ok          13         0.310       1.2          0.100         1

      passes: passed (attempt 2)
      fails: FAILED: p50 measured 2.600 ms vs 2.000 ± 0.500 ms
      flagged: FLAGGED, could not be measured on time on this machine: 13 of 1000 sends (1.3%) left over 2 ms late (> 1%)

      tolerance: 5% of the expected value or 0.5 ms, whichever is larger, for every percentile compared; counts must equal what the oracle received
      expected: the oracle's timing model; for Poisson arrivals, the oracle's own record of how long it held that run's requests
      flagged (not a pass) when the generator was saturated — flagged when over 1% of sends are late, or send-lag p99 > max(1 ms, 10% of latency p99), or a generator thread is busy ≥ 90% of one core, or its event-loop delay p99 > 50 ms — or the oracle held a compared percentile off its own timing by more than half the tolerance
      selftest FAILED: 1 passed, 1 failed, 1 flagged (could not be measured on time on this machine; not a pass)"
    `);
  });

  it('says PASSED only when every case passed', () => {
    expect(
      renderSelftest([outcome('a', [2.3, 27.6, 47.9])])
        .split('\n')
        .at(-1),
    ).toBe('selftest PASSED (1 case)');
  });

  it.each<[string, CaseOutcome['verdict'][], number]>([
    ['every case passed', ['passed', 'passed'], EXIT.passed],
    ['one failed', ['passed', 'failed'], EXIT.failed],
    ['one flagged, the rest passed: a flagged case is not a pass', ['passed', 'flagged'], EXIT.failed],
  ])('exit code when %s', (_name, verdicts, code) => {
    expect(selftestExitCode(verdicts.map((verdict) => ({ verdict })))).toBe(code);
  });
});
