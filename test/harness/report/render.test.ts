import { describe, expect, it } from 'vitest';
import { renderSummary } from '../../../harness/report/summary.ts';
import { renderSeriesCsv } from '../../../harness/report/series.ts';
import { formatProgress, createProgress } from '../../../harness/report/progress.ts';
import { validateRunJson } from '../../../harness/report/validate.ts';
import type { RunJson } from '../../../harness/report/model.ts';

const latency = (base: number) => ({
  p50: base,
  p90: base * 2,
  p95: base * 3,
  p99: base * 4,
  p999: base * 5,
  max: base * 6,
  mean: base * 1.5,
});

export const SAMPLE_RUN: RunJson = {
  schemaVersion: 1,
  id: '2026-11-23T11-30-00Z-run-ab12',
  kind: 'run',
  startedAt: '2026-11-23T11:30:00.000Z',
  finishedAt: '2026-11-23T11:30:40.000Z',
  passed: false,
  environment: { node: 'v20.20.2', cpus: 2, cpuModel: 'AMD EPYC', os: 'Linux 6.1 x64', gitCommit: 'abcdef0123456789' },
  config: { target: 'http://127.0.0.1:3000' },
  phases: [
    {
      name: 'warmup',
      model: 'open',
      targetRps: 200,
      durationSec: 5,
      elapsedSec: 5.01,
      judged: false,
      requests: { sent: 1000, completed: 1000, failed: 0, inFlight: 0, byStatus: { '200': 1000 }, byError: {} },
      throughputRps: 200,
      achievedRps: 200,
      lateSends: 3,
      lateThresholdMs: 2,
      sendLagMs: latency(0.2),
      generatorSaturated: false,
      generator: { cpuPctMean: 12.5, cpuPctMax: 15, eventLoopP99Ms: 1.2 },
      latencyMs: latency(1.5),
      endpoints: [
        { name: 'GET /api/users/:id', requests: 1000, failed: 0, throughputRps: 200, latencyMs: latency(1.5) },
      ],
    },
    {
      name: 'sustained',
      model: 'closed',
      connections: 64,
      durationSec: 30,
      elapsedSec: 30.05,
      judged: true,
      requests: {
        sent: 300064,
        completed: 299000,
        failed: 1000,
        inFlight: 64,
        byStatus: { '200': 299000, '503': 990 },
        byError: { ECONNRESET: 10 },
      },
      throughputRps: 9950.083,
      generatorSaturated: true,
      generator: {
        cpuPctMean: 97.1,
        cpuPctMax: 100.2,
        eventLoopP99Ms: 3.1,
        saturationReason: 'generator CPU 97.1% ≥ 90% of one core',
      },
      latencyMs: latency(6),
      endpoints: [
        { name: 'GET /api/users/:id', requests: 200000, failed: 500, throughputRps: 6638.9, latencyMs: latency(5) },
        { name: 'POST /api/auth/login', requests: 100000, failed: 500, throughputRps: 3311.1, latencyMs: latency(8) },
      ],
    },
  ],
  checks: [
    { name: 'p95<200', passed: true, value: 18, target: 200, detail: 'overall p95 = 18 ms (need < 200 ms)' },
    {
      name: 'error_rate<0.001',
      passed: false,
      value: 0.00333,
      target: 0.001,
      detail: 'overall error_rate = 0.333% (need < 0.100%)',
    },
  ],
  kpi: {
    rows: [{ metric: 'p95 latency', target: '< 200 ms', cells: { run: { value: 18, unit: 'ms', status: 'pass' } } }],
  },
};

describe('renderers', () => {
  it('the sample run is valid against the schema', () => {
    expect(validateRunJson(SAMPLE_RUN)).toEqual([]);
    expect(validateRunJson({ ...SAMPLE_RUN, phases: [{ ...SAMPLE_RUN.phases[0], model: 'fast' }] })).not.toEqual([]);
  });

  it('renders the summary table', () => {
    expect(renderSummary(SAMPLE_RUN)).toMatchInlineSnapshot(`
      "loadlab run 2026-11-23T11-30-00Z-run-ab12: FAILED

      phase       model       load  time    sent      ok  failed  in flight   req/s  p50  p90  p95  p99  p99.9  max  gen cpu
      warmup*      open  200 req/s    5s    1000    1000       0          0   200.0  1.5    3  4.5    6    7.5    9    12.5%
      sustained  closed    64 conn   30s  300064  299000    1000         64  9950.1    6   12   18   24     30   36    97.1%
      latency in ms, measured from the intended send time in open phases; * = not judged

      endpoints in sustained:
      endpoint              requests  failed   req/s  p50  p95  p99  max
      GET /api/users/:id      200000     500  6638.9    5   15   20   30
      POST /api/auth/login    100000     500  3311.1    8   24   32   48

      warmup: status 200×1000
      warmup: achieved 200 of 200 req/s intended; 3 sends late (> 2 ms)
      warmup: latency (from intended send, judged) p50 1.5 / p99 6 ms · send lag p50 0.2 / p99 0.8 ms
      sustained: status 200×299000 503×990; errors ECONNRESET 10
      ⚠ sustained: the load generator was saturated (generator CPU 97.1% ≥ 90% of one core): these figures measure the generator, not the SUT.

      checks:
        PASS  p95<200: overall p95 = 18 ms (need < 200 ms)
        FAIL  error_rate<0.001: overall error_rate = 0.333% (need < 0.100%)

      method: 2 cpus (AMD EPYC), Linux 6.1 x64, node v20.20.2, commit abcdef0; generator 1 thread"
    `);
  });

  it('renders the series as CSV', () => {
    const csv = renderSeriesCsv([
      {
        second: 0,
        phase: 'warmup',
        window: { responses: 200, errors: 0, p50Ms: 1.5, p99Ms: 6 },
        sample: { generatorCpuPct: 12.5, eventLoopP99Ms: 1.2 },
      },
      {
        second: 1,
        phase: 'spike, 2x',
        window: { responses: 400, errors: 2, p50Ms: 2, p99Ms: 9 },
        sample: { generatorCpuPct: 20, eventLoopP99Ms: 1, sutCpuPct: 150, sutRssMb: 80.5, readyStatus: 503 },
      },
    ]);
    expect(csv).toMatchInlineSnapshot(`
      "second,phase,rps,p50_ms,p99_ms,errors,generator_cpu_pct,event_loop_p99_ms,sut_cpu_pct,sut_rss_mb,ready_status
      0,warmup,200,1.5,6,0,12.5,1.2,,,
      1,"spike, 2x",400,2,9,2,20,1,150,80.5,503
      "
    `);
  });

  it('formats the progress line, redrawn on a TTY and every few seconds otherwise', () => {
    expect(
      formatProgress({ phase: 'sustained', elapsedSec: 12.2, durationSec: 30, rps: 1234.4, p99Ms: 12.345, errors: 3 }),
    ).toMatchInlineSnapshot(`"sustained 12/30s  1234 req/s  p99 12.3 ms  errors 3"`);
    let plain = '';
    const p = createProgress({ write: (t: string) => (plain += t), isTTY: false });
    for (let s = 1; s <= 11; s++)
      p.update({ phase: 'x', elapsedSec: s, durationSec: 11, rps: 10, p99Ms: 1, errors: 0 });
    expect(plain.split('\n').filter(Boolean)).toHaveLength(3);
    let tty = '';
    const q = createProgress({ write: (t: string) => (tty += t), isTTY: true });
    q.update({ phase: 'x', elapsedSec: 1, durationSec: 2, rps: 10, p99Ms: 1, errors: 0 });
    q.done();
    expect(tty).toBe('\r\x1b[2Kx 1/2s  10 req/s  p99 1.0 ms  errors 0\n');
  });
});
