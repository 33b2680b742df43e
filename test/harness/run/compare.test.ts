import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildCompare,
  buildNoise,
  loadRunOrBaseline,
  parseTolerances,
  saveBaseline,
  SEPARATE_RUNS,
  type LoadedRun,
} from '../../../harness/run/compare.ts';
import type { CalibrationReport, RunJson, TrialReport } from '../../../harness/report/model.ts';
import { validateCompareJson, validateRunJson } from '../../../harness/report/validate.ts';
import { renderCompareMarkdown, renderNoiseMarkdown } from '../../../harness/report/compare-table.ts';
import { buildTrialReport } from '../../../harness/report/trials.ts';

const machine = { cpuModel: 'AMD EPYC', cores: 2, memoryMb: 24105, kernel: '6.18', os: 'Linux 6.18 x64', node: 'v20' };
const calibration = (httpRps: number, m = machine): CalibrationReport => ({
  machine: m,
  httpRps,
  cpuMs: 34,
  durationSec: 1,
  connections: 8,
});

function trial(n: number, throughput: number, p50: number, endpointP99 = p50 * 4): TrialReport {
  return buildTrialReport({
    trial: n,
    group: 'level0',
    core: { throughput, p50, p95: p50 * 3, p99: p50 * 5, error_rate: 0, availability: 100 },
    endpoints: [
      {
        name: 'GET /api/teams',
        requests: 100,
        failed: 0,
        throughputRps: 10,
        latencyMs: { p50, p90: p50, p95: p50, p99: endpointP99, p999: endpointP99, max: endpointP99, mean: p50 },
      },
    ],
    extras: [{ metric: 'speed-up', target: { op: '>', value: 1.5, unit: '×' }, value: 1.8, unit: '×' }],
  });
}

function run(id: string, trials: TrialReport[], cal?: CalibrationReport): LoadedRun {
  const json: RunJson = {
    schemaVersion: 1,
    id,
    kind: 'bench-level0',
    startedAt: '2026-12-08T00:00:00.000Z',
    finishedAt: '2026-12-08T00:01:00.000Z',
    passed: true,
    environment: { node: 'v20', cpus: 2, cpuModel: cal?.machine.cpuModel ?? 'AMD EPYC', os: 'Linux', gitCommit: 'abc' },
    config: {},
    phases: [],
    trials,
    ...(cal ? { calibration: cal } : {}),
    checks: [],
    kpi: { rows: [] },
  };
  return { run: json, dir: `/tmp/${id}`, source: `/tmp/${id}` };
}

const steady = (scale = 1, p50 = 2) =>
  [1000, 1030, 980, 1010, 995].map((t, i) => trial(i + 1, t * scale, p50 * [1, 1.02, 0.98, 1.01, 0.99][i]!));

describe('buildCompare', () => {
  it('an identical build is not worse and the output validates against compare.schema.json', () => {
    const c = buildCompare(run('a', steady()), run('b', steady()), { createdAt: new Date('2026-12-08T00:00:00Z') });
    expect(validateCompareJson(c)).toEqual([]);
    expect(c.passed).toBe(true);
    expect(c.trials).toEqual({ a: 5, b: 5 });
    expect(c.verdicts.filter((v) => v.judged).map((v) => v.metric)).toEqual([
      'level0 throughput',
      'level0 p50',
      'level0 p95',
      'level0 p99',
      'level0 error_rate',
    ]);
    // Endpoints and the level's own rows are told, not judged; availability too.
    expect(c.verdicts.filter((v) => !v.judged).map((v) => v.metric)).toEqual([
      'level0 availability',
      'level0 GET /api/teams p50',
      'level0 GET /api/teams p99',
      'level0 speed-up',
    ]);
    expect(c.verdicts.every((v) => v.verdict !== 'worse')).toBe(true);
    expect(c.noise).toEqual({ source: 'built-in (ten trials of level0 --quick on a 2-core machine)', trials: null });
  });

  it('a 30% throughput drop is worse and fails; the table says which KPI', () => {
    const c = buildCompare(run('a', steady()), run('b', steady(0.7)));
    const throughput = c.verdicts.find((v) => v.metric === 'level0 throughput')!;
    expect(throughput.verdict).toBe('worse');
    expect(throughput.changePct).toBeCloseTo(-30, 0);
    expect(c.passed).toBe(false);
    expect(renderCompareMarkdown(c)).toContain('FAILED: 1 judged KPI is worse (level0 throughput)');
  });

  it('an endpoint slower only in its p99 is reported per endpoint and does not fail the comparison', () => {
    const slowTeams = [1000, 1030, 980, 1010, 995].map((t, i) =>
      trial(i + 1, t, 2 * [1, 1.02, 0.98, 1.01, 0.99][i]!, 40),
    );
    const c = buildCompare(run('a', steady()), run('b', slowTeams));
    expect(c.verdicts.find((v) => v.metric === 'level0 GET /api/teams p99')!.verdict).toBe('worse');
    expect(c.passed).toBe(true);
  });

  it('--tolerance widens a KPI: a 30% drop inside a 40% tolerance is not worse', () => {
    const c = buildCompare(run('a', steady()), run('b', steady(0.7)), { tolerances: { throughput: 40 } });
    const throughput = c.verdicts.find((v) => v.metric === 'level0 throughput')!;
    expect(throughput.tolerancePct).toBe(40);
    expect(throughput.verdict).not.toBe('worse');
  });

  it('cross-machine: normalizes B by the calibration ratio and says so', () => {
    const other = { ...machine, cpuModel: 'Intel Xeon', cores: 4 };
    // B's machine is twice as fast and B's throughput twice as high: the same build.
    const c = buildCompare(run('a', steady(), calibration(20_000)), run('b', steady(2, 1), calibration(40_000, other)));
    expect(c.calibration).toMatchObject({ crossMachine: true, ratio: 2, normalized: true });
    expect(c.verdicts.find((v) => v.metric === 'level0 throughput')!.verdict).not.toBe('worse');
    expect(c.verdicts.find((v) => v.metric === 'level0 p50')!.changePct).toBeCloseTo(0, 0);
    expect(c.method).toContain('normalized by the calibration ratio 2');
    expect(renderCompareMarkdown(c)).toContain('**cross-machine**');
  });

  it('the same machine is not normalized even when the calibration figures differ', () => {
    const c = buildCompare(run('a', steady(), calibration(20_000)), run('b', steady(), calibration(25_000)));
    expect(c.calibration).toMatchObject({ crossMachine: false, ratio: 1.25, normalized: false });
  });

  it('warns when the generator was saturated, a p99 rests on few requests, or the machine was busier in one run', () => {
    const a = run('a', steady(), calibration(20_000));
    const open = {
      name: 'level0 latency',
      model: 'open',
      judged: true,
      generatorSaturated: true,
      saturationReason: 'send-lag p99 3 ms > 1 ms',
      requests: { sent: 400, completed: 400, failed: 0, inFlight: 0, byStatus: {}, byError: {} },
    };
    a.run.phases = [open as unknown as RunJson['phases'][number]];
    const c = buildCompare(a, run('b', steady(), calibration(10_000)));
    expect(c.warnings).toEqual([
      'A: the load generator was saturated in 1 of 1 judged phases (send-lag p99 3 ms > 1 ms): latency verdicts may measure the generator as much as the target',
      'A: a latency phase answered only 400 requests, so its p99 rests on its 4 slowest: p99 verdicts are coarse (longer phases narrow them)',
      "the same machine's reference throughput differed by 0.5× between the runs: it was busier during one of them, which moves every figure",
      SEPARATE_RUNS,
    ]);
    // ab's interleaved trials share the machine's drift: no such warning.
    expect(buildCompare(run('a', steady()), run('b', steady()), { interleaved: true }).warnings).toEqual([]);
    expect(validateCompareJson(c)).toEqual([]);
    expect(renderCompareMarkdown(c)).toContain('⚠️ A: the load generator was saturated');
  });

  it('a run without trials is a usage error naming it', () => {
    expect(() => buildCompare(run('a', []), run('b', steady()))).toThrow(/\/tmp\/a: its run.json has no trials/);
  });
});

describe('baselines, noise and tolerances on disk', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function writeRunDir(name: string, loaded: LoadedRun): string {
    const runDir = join(dir, name);
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, 'run.json'), JSON.stringify(loaded.run));
    writeFileSync(join(runDir, 'kpi.md'), '# kpi\n');
    return runDir;
  }

  it('saves a run as a baseline with its machine and calibration, and finds it by name', () => {
    dir = mkdtempSync(join(tmpdir(), 'loadlab-compare-'));
    const loaded = run('r1', steady(), calibration(20_000));
    expect(validateRunJson(loaded.run)).toEqual([]);
    const runDir = writeRunDir('r1', loaded);
    const saved = saveBaseline(runDir, 'nightly', dir, new Date('2026-12-08T00:00:00Z'));
    expect(saved).toBe(join(dir, 'baselines', 'nightly'));
    expect(existsSync(join(saved, 'kpi.md'))).toBe(true);
    const meta = JSON.parse(readFileSync(join(saved, 'baseline.json'), 'utf8'));
    expect(meta).toMatchObject({ name: 'nightly', from: 'r1', trials: 5, calibration: { httpRps: 20_000, machine } });
    expect(loadRunOrBaseline('nightly', dir).run.id).toBe('r1');
    expect(loadRunOrBaseline(runDir, dir).source).toBe(runDir);
    expect(() => loadRunOrBaseline('missing', dir)).toThrow(/neither a run folder with run.json nor a baseline/);
    expect(() => saveBaseline(runDir, '../escape', dir)).toThrow(/--name: expected letters/);
    const failed = run('r-failed', steady());
    failed.run.passed = false;
    expect(() => saveBaseline(writeRunDir('r-failed', failed), 'bad', dir)).toThrow(
      /the run failed its checks \(passed: false\); a baseline must be a run that passed/,
    );
    expect(existsSync(join(dir, 'baselines', 'bad'))).toBe(false);
  });

  it('builds a noise floor from trials, and compare takes it from the baseline', () => {
    dir = mkdtempSync(join(tmpdir(), 'loadlab-compare-'));
    const loaded = run('r2', steady());
    const noise = buildNoise(loaded.run);
    expect(noise.trials).toBe(5);
    const throughput = noise.metrics.find((m) => m.metric === 'level0 throughput')!;
    expect(throughput).toMatchObject({ scale: 'log', df: 4 });
    expect(throughput.detectable['3']).toBeGreaterThan(throughput.detectable['10']);
    expect(renderNoiseMarkdown(noise)).toContain('| level0 throughput |');
    // --tolerance: the trials a side that a tighter tolerance needs.
    const tight = buildNoise(loaded.run, { throughput: 1 }).metrics.find((m) => m.metric === 'level0 throughput')!;
    expect(tight.tolerancePct).toBe(1);
    expect(tight.trialsForTolerance).toBeGreaterThan(throughput.trialsForTolerance!);
    const runDir = writeRunDir('r2', loaded);
    writeFileSync(join(runDir, 'noise.json'), JSON.stringify(noise));
    const baseline = loadRunOrBaseline(saveBaseline(runDir, 'with-noise', dir), dir);
    const c = buildCompare(baseline, run('b', steady()));
    expect(c.noise).toEqual({ source: 'noise.json of r2', trials: 5 });
    expect(() => buildNoise(run('r3', steady().slice(0, 2)).run)).toThrow(/at least 3 trials/);
  });

  it('parses --tolerance KPI=PCT and rejects anything else', () => {
    expect(parseTolerances(['p99=15%', 'GET /api/teams p50=20', 'error_rate=0.1'])).toEqual({
      p99: 15,
      'GET /api/teams p50': 20,
      error_rate: 0.1,
    });
    expect(() => parseTolerances(['p99'])).toThrow('--tolerance: expected KPI=PCT such as p99=15%, got "p99"');
    expect(() => parseTolerances(['p99=-3%'])).toThrow(/--tolerance/);
  });
});
