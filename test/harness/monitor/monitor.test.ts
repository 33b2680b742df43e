// The Monitor over a fake /proc and a local /metrics + /ready server: what one sample holds, what a phase
// summarises, how its own probes are counted, and that run.json's schema takes the new fields.
import { afterEach, describe, expect, it } from 'vitest';
import { Monitor, summarizeProcesses, type MonitorSample } from '../../../harness/monitor/monitor.ts';
import { describeMonitorCost } from '../../../harness/report/method.ts';
import type { PhaseReport, RunJson } from '../../../harness/report/model.ts';
import { validateRunJson } from '../../../harness/report/validate.ts';
import { closedPort, startServer, type TestServer } from '../helpers.ts';
import { FakeProc } from './fake-proc.ts';

let server: TestServer | undefined;
let monitor: Monitor | undefined;
afterEach(async () => {
  monitor?.stop();
  monitor = undefined;
  await server?.close();
  server = undefined;
});

/** /metrics answers cache counters that grow by 9 hits and 1 miss per scrape; /ready answers `readyStatus`. */
async function sutLike(state: { readyStatus: number }) {
  let scrapes = 0;
  return startServer((req, res) => {
    if (req.url === '/ready') {
      res.statusCode = state.readyStatus;
      res.end('{}');
      return;
    }
    scrapes += 1;
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(
      [
        '# TYPE http_requests_in_flight gauge',
        'http_requests_in_flight 4',
        'loadlab_db_pool_total 10',
        'loadlab_db_pool_idle 7',
        'loadlab_db_pool_waiting 1',
        `loadlab_cache_hits_total ${scrapes * 9}`,
        `loadlab_cache_misses_total ${scrapes}`,
        'loadlab_metrics_workers{answered="true"} 2',
        'loadlab_metrics_workers{answered="false"} 0',
        '',
      ].join('\n'),
    );
  });
}

function fakeSut(): FakeProc {
  const proc = new FakeProc();
  proc.add(100, { comm: 'node', ppid: 1, cpuSec: 5, rssMb: 50 });
  proc.add(101, { comm: 'node', ppid: 100, cpuSec: 9, rssMb: 100 });
  return proc;
}

describe('Monitor', () => {
  it('samples the named processes, the /metrics figures and /ready, and counts its own probes', async () => {
    const state = { readyStatus: 200 };
    server = await sutLike(state);
    const proc = fakeSut();
    monitor = new Monitor({
      processes: [{ name: 'sut-primary', pid: 100, group: 'sut', children: 'sut-worker' }, { name: 'postgres' }],
      metricsUrl: `${server.url}/metrics`,
      readyUrl: `${server.url}/ready`,
      reader: proc,
      threads: false,
    });
    monitor.beginPhase();
    proc.tick(1, { 100: 0.1, 101: 0.5 });
    const first = await monitor.sample();
    expect(first).toMatchObject({
      readyStatus: 200,
      metricsOk: true,
      sutInFlight: 4,
      dbPoolTotal: 10,
      dbPoolIdle: 7,
      dbPoolWaiting: 1,
      sutRssMb: 150,
    });
    expect(first.cacheHitPct).toBeUndefined(); // a phase's first scrape has nothing to compare with
    expect(first.processes?.map((p) => p.name)).toEqual(['sut-primary', 'sut-worker:101']);
    expect(first.sutCpuPct).toBeGreaterThan(0);
    expect(first.monitorMs).toBeGreaterThanOrEqual(0);
    state.readyStatus = 503;
    proc.procs.delete(101); // the worker is replaced between samples
    proc.add(102, { comm: 'node', ppid: 100, cpuSec: 0, startSec: proc.uptime + 0.5, rssMb: 90 });
    proc.tick(1, { 100: 0.1, 102: 0.2 });
    const second = await monitor.sample();
    expect(second).toMatchObject({ readyStatus: 503, cacheHitPct: 90, sutRssMb: 140 });
    expect(second.processes?.map((p) => p.name)).toEqual(['sut-primary', 'sut-worker:102']);
    expect(monitor.probeCounts()).toEqual({ requests: 4, byStatus: { '200': 3, '503': 1 }, byError: {} });

    const { resources, sut } = monitor.endPhase();
    expect(sut?.rssMbMax).toBe(150);
    expect(resources.processes?.map((p) => [p.name, p.pid])).toEqual([
      ['sut-primary', 100],
      ['sut-worker:101', 101],
      ['sut-worker:102', 102],
    ]);
    expect(resources.monitor).toMatchObject({ samples: 2, processes: 2, threads: 0, notSampled: ['postgres'] });
    expect(resources.monitor!.msPerSample).toBeGreaterThanOrEqual(0);
  });

  it('counts a probe that cannot connect by its error, and reports /ready down and /metrics not ok', async () => {
    const port = await closedPort();
    monitor = new Monitor({
      metricsUrl: `http://127.0.0.1:${port}/metrics`,
      readyUrl: `http://127.0.0.1:${port}/ready`,
      reader: new FakeProc(),
    });
    monitor.beginPhase();
    const sample = await monitor.sample();
    expect(sample).toMatchObject({ readyStatus: 'down', metricsOk: false });
    expect(sample.sutInFlight).toBeUndefined();
    expect(monitor.probeCounts()).toEqual({ requests: 2, byStatus: {}, byError: { ECONNREFUSED: 2 } });
  });

  it('a monitor without probe URLs sends nothing and still reports the generator', async () => {
    monitor = new Monitor({ reader: new FakeProc() });
    monitor.beginPhase();
    const sample = await monitor.sample();
    expect(sample.readyStatus).toBeUndefined();
    expect(sample.generatorCpuPct).toBeGreaterThanOrEqual(0);
    expect(monitor.probeCounts()).toEqual({ requests: 0, byStatus: {}, byError: {} });
    expect(monitor.endPhase().generator.cpuPctMax).toBe(sample.generatorCpuPct);
  });
});

describe('summarizeProcesses', () => {
  const at = (processes: MonitorSample['processes']): MonitorSample => ({
    generatorCpuPct: 1,
    eventLoopP99Ms: 0,
    processes,
  });

  it('gives each process (name and pid) the mean and max of its CPU figures and its largest RSS', () => {
    const samples = [
      at([
        { name: 'sut-worker:101', group: 'sut', pid: 101, rssMb: 90 }, // first reading: no CPU yet
        { name: 'generator-thread:7', group: 'generator', pid: 7, cpuPct: 0, thread: true },
      ]),
      at([
        { name: 'sut-worker:101', group: 'sut', pid: 101, cpuPct: 40, rssMb: 100 },
        { name: 'generator-thread:7', group: 'generator', pid: 7, cpuPct: 0, thread: true },
        { name: 'generator-main', group: 'generator', pid: 5, cpuPct: 70, thread: true },
      ]),
      at([
        { name: 'sut-worker:101', group: 'sut', pid: 101, cpuPct: 61, rssMb: 95 },
        { name: 'sut-worker:102', group: 'sut', pid: 102, rssMb: 80 }, // seen once, at the end: left out
        { name: 'generator-main', group: 'generator', pid: 5, cpuPct: 90, thread: true },
      ]),
    ];
    expect(summarizeProcesses(samples)).toEqual([
      { name: 'sut-worker:101', group: 'sut', pid: 101, cpuPctMean: 50.5, cpuPctMax: 61, rssMbMax: 100 },
      { name: 'generator-main', group: 'generator', pid: 5, cpuPctMean: 80, cpuPctMax: 90, thread: true },
    ]);
  });
});

describe("the monitor's fields in run.json", () => {
  const latency = { p50: 1, p90: 1, p95: 1, p99: 1, p999: 1, max: 1, mean: 1 };
  const phase = (extra: Partial<PhaseReport>): PhaseReport => ({
    name: 'p',
    model: 'closed',
    connections: 1,
    durationSec: 1,
    elapsedSec: 1,
    judged: true,
    requests: { sent: 1, completed: 1, failed: 0, inFlight: 0, byStatus: { '200': 1 }, byError: {} },
    throughputRps: 1,
    generatorSaturated: false,
    generator: { cpuPctMean: 1, cpuPctMax: 1, eventLoopP99Ms: 0 },
    latencyMs: latency,
    endpoints: [],
    ...extra,
  });
  const run = (p: PhaseReport): RunJson => ({
    schemaVersion: 1,
    id: 'x',
    kind: 'run',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    passed: true,
    environment: { node: 'v20', cpus: 2, cpuModel: 'cpu', os: 'Linux', gitCommit: null },
    config: {},
    phases: [p],
    checks: [],
    kpi: { rows: [] },
  });
  const resources: Partial<PhaseReport> = {
    processes: [
      { name: 'sut-worker:101', group: 'sut', pid: 101, cpuPctMean: 50.5, cpuPctMax: 61, rssMbMax: 100 },
      { name: 'generator-main', group: 'generator', pid: 5, cpuPctMean: 80, cpuPctMax: 90, thread: true },
    ],
    machineCpuPctMean: 64.2,
    machineCpuPctMax: 88,
    monitor: { samples: 30, msPerSample: 0.42, processes: 9, threads: 12, notSampled: ['postgres'] },
  };

  it('validates against the schema; a negative CPU figure does not', () => {
    expect(validateRunJson(run(phase(resources)))).toEqual([]);
    const negative = { ...resources, processes: [{ name: 'x', cpuPctMean: -297, cpuPctMax: 0 }] };
    expect(validateRunJson(run(phase(negative)))).not.toEqual([]);
    expect(validateRunJson(run(phase({ ...resources, machineCpuPctMax: 101 })))).not.toEqual([]);
  });

  it('the method line quotes the cost, weighted by samples, and what was not sampled', () => {
    const cost = (samples: number, msPerSample: number, processes: number, notSampled?: string[]) => ({
      monitor: { samples, msPerSample, processes, threads: 12, ...(notSampled ? { notSampled } : {}) },
    });
    expect(describeMonitorCost([cost(10, 0.2, 5), cost(30, 0.6, 9, ['postgres']), {}])).toBe(
      "monitor: 0.5 ms per sample on the generator's main thread, 9 processes and 12 threads of the generator's process (its event loop, sender threads, Node's own) read each second; postgres not sampled (external)",
    );
    expect(describeMonitorCost([{}])).toBeUndefined();
  });
});
