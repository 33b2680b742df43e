// The summary's issue-9 lines: both latency views of an open phase, labelled; the answer checks; where a saturation
// reason comes from; the requests to the target in all; the generator's threads and arrivals on the method line.
import { describe, expect, it } from 'vitest';
import { renderSummary } from '../../../harness/report/summary.ts';
import { validateRunJson } from '../../../harness/report/validate.ts';
import type { PhaseReport, RunJson } from '../../../harness/report/model.ts';

const latency = (p50: number, p99: number) => ({ p50, p90: p99, p95: p99, p99, p999: p99, max: p99, mean: p50 });

const open: PhaseReport = {
  name: 'sustained',
  model: 'open',
  targetRps: 200,
  durationSec: 5,
  elapsedSec: 5.01,
  judged: true,
  requests: { sent: 1000, completed: 998, failed: 2, inFlight: 0, byStatus: { '200': 1000 }, byError: {} },
  throughputRps: 199.6,
  achievedRps: 200,
  lateSends: 3,
  lateThresholdMs: 2,
  endpoints: [],
  arrivals: 'poisson',
  latencyMs: latency(1.2, 2.1),
  serviceTimeMs: latency(1.1, 1.9),
  sendLagMs: latency(0.05, 0.3),
  answerChecks: { sampleFraction: 0.01, checked: 10, wrong: 2, firstProblem: 'GET /u/42: asked for id 42, got id 41' },
  generatorSaturated: true,
  saturationReason: 'send lag p99 0.3 ms',
  generator: { cpuPctMean: 40, cpuPctMax: 50, eventLoopP99Ms: 1, threads: 3, saturationReason: 'send lag p99 0.3 ms' },
};

const run = (phase: PhaseReport, extra: Partial<RunJson> = {}): RunJson => ({
  schemaVersion: 1,
  id: '2026-11-23T11-30-00Z-run-ab12',
  kind: 'run',
  startedAt: '2026-11-23T11:30:00.000Z',
  finishedAt: '2026-11-23T11:30:10.000Z',
  passed: false,
  environment: { node: 'v20.20.2', cpus: 8, cpuModel: 'AMD EPYC', os: 'Linux 6.1 x64', gitCommit: 'abcdef0123456789' },
  kpi: { rows: [] },
  config: { target: 'http://127.0.0.1:3000', generatorThreads: 4 },
  phases: [phase],
  checks: [],
  ...extra,
});

describe('renderSummary (issue 9)', () => {
  it('puts latency from the intended send (judged) beside service time and send lag, labelled', () => {
    const text = renderSummary(run(open));
    expect(text).toContain(
      'sustained: latency (from intended send, judged) p50 1.2 / p99 2.1 ms · ' +
        'service time (from actual send) p50 1.1 / p99 1.9 ms · send lag p50 0.05 / p99 0.3 ms',
    );
    expect(text).toContain('sustained: achieved 200 of 200 req/s intended (poisson arrivals); 3 sends late (> 2 ms)');
  });

  it('names wrong answers (count and first problem), or says how many were checked', () => {
    expect(renderSummary(run(open))).toContain(
      '✗ sustained: 2 wrong answers of 10 checked (1% sample); first: GET /u/42: asked for id 42, got id 41',
    );
    const right = { ...open, answerChecks: { sampleFraction: 0.05, checked: 12, wrong: 0 } };
    expect(renderSummary(run(right))).toContain('sustained: answers checked 12 (5% sample), all right');
    expect(renderSummary(run({ ...open, answerChecks: undefined }))).not.toContain('answers');
  });

  it("shows the phase's saturation reason", () => {
    const text = renderSummary(run({ ...open, generator: { ...open.generator, saturationReason: undefined } }));
    expect(text).toContain('⚠ sustained: the load generator was saturated (send lag p99 0.3 ms)');
  });

  it('adds up what went to the target, and the method line names threads (used and asked) and arrivals', () => {
    const full = run(open, {
      verification: { requests: 3, byStatus: { '200': 3 } },
      probes: { requests: 8, byStatus: { '200': 8 }, byError: {} },
    });
    expect(validateRunJson(full)).toEqual([]);
    const text = renderSummary(full);
    expect(text).toContain('requests to the target: 1000 in phases + 3 verification + 8 monitor probes = 1011');
    expect(text).toMatch(/; generator 3 threads \(4 asked\), poisson arrivals$/);
    expect(renderSummary(run(open))).not.toContain('requests to the target');
  });
});
