// `loadlab bench`: generated usage, bad options → exit 2 through the CLI, and a tiny real `bench overhead` and
// `bench engine --quick` whose run.json validates and carries the expected KPI rows (serial: they load real
// processes for a few seconds each).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { main } from '../../../harness/cli.ts';
import { trackedCount } from '../../../harness/env/processes.ts';
import type { RunJson } from '../../../harness/report/model.ts';
import { validateRunJson } from '../../../harness/report/validate.ts';
import { memoryIO } from '../helpers.ts';

describe('loadlab bench usage', () => {
  it('lists the three benches for `bench --help`', async () => {
    const io = memoryIO();
    expect(await main(['bench', '--help'], io)).toBe(0);
    expect(io.out()).toContain('usage: loadlab bench <overhead|engine|workers>');
    for (const name of ['overhead', 'engine', 'workers']) expect(io.out()).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it.each([
    ['overhead', ['--duration TIME', 'default 15s', '--rounds N', '--warm-ids N', '--connections N', '--out DIR']],
    ['workers', ['--duration TIME', 'default 10s', '--warm-ids N', '--connections N']],
    [
      'engine',
      [
        '--quick',
        '--long',
        '--duration TIME',
        '--probe-duration TIME',
        '--rss-duration TIME',
        '--threads LIST',
        '--json',
      ],
    ],
  ])('prints the options of `bench %s --help`', async (name, expected) => {
    const io = memoryIO();
    expect(await main(['bench', name, '--help'], io)).toBe(0);
    expect(io.out()).toContain(`usage: loadlab bench ${name} [options]`);
    for (const text of expected) expect(io.out()).toContain(text);
  });

  it('names bench in the main usage', async () => {
    const io = memoryIO();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toMatch(/^ {2}bench +micro-benchmarks/m);
  });
});

describe('loadlab bench option validation', () => {
  it.each([
    [['bench'], 'bench: name one: overhead, engine or workers', 'usage: loadlab bench <overhead|engine|workers>'],
    [['bench', 'frob'], 'unknown bench "frob"', 'usage: loadlab bench <overhead|engine|workers>'],
    [['bench', 'overhead', '--bogus', '1'], '--bogus: unknown option', 'usage: loadlab bench overhead'],
    [
      ['bench', 'overhead', '--rounds', '0'],
      '--rounds: expected a positive whole number',
      'usage: loadlab bench overhead',
    ],
    [
      ['bench', 'workers', '--duration', 'soon'],
      '--duration: "soon" is not a duration',
      'usage: loadlab bench workers',
    ],
    [['bench', 'engine', '--warm-ids', '10'], '--warm-ids: unknown option', 'usage: loadlab bench engine'],
    [['bench', 'engine', '--long', 'maybe'], 'unexpected argument "maybe"', 'usage: loadlab bench engine'],
    [['bench', 'engine', '--quick', '--long'], '--quick and --long: choose one', 'usage: loadlab bench engine'],
    [
      ['bench', 'engine', '--threads', '1,0'],
      '--threads: expected thread counts like 1,2,4',
      'usage: loadlab bench engine',
    ],
    [
      ['bench', 'engine', '--threads', 'two'],
      '--threads: expected thread counts like 1,2,4',
      'usage: loadlab bench engine',
    ],
  ])('%j → exit 2, one line and the usage', async (argv, message, usage) => {
    const io = memoryIO();
    expect(await main(argv, io)).toBe(2);
    const [first, second] = io.err().split('\n');
    expect(first).toContain(message);
    expect(second).toBe('');
    expect(io.err()).toContain(usage);
    expect(io.out()).toBe('');
  });
});

describe('loadlab bench overhead, for real', () => {
  let outDir: string | undefined;
  afterEach(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('writes a valid run.json with a req/s and a ratio per target, and stops everything it started', async () => {
    outDir = mkdtempSync(join(tmpdir(), 'loadlab-bench-test-'));
    const io = memoryIO();
    const argv = ['bench', 'overhead', '--duration', '1s', '--rounds', '1', '--warm-ids', '20', '--connections', '4'];
    const code = await main([...argv, '--database-url', inject('databaseUrl'), '--out', outDir], io);
    const [runId] = readdirSync(outDir);
    const run = JSON.parse(readFileSync(join(outDir, runId!, 'run.json'), 'utf8')) as RunJson;

    expect(validateRunJson(run)).toEqual([]);
    expect(run.kind).toBe('bench-overhead');
    expect(run.phases).toEqual([]); // the load came from wrk or autocannon, not from our engine
    expect(run.config).toMatchObject({ bench: 'overhead', durationSec: 1, rounds: 1, warmIds: 20, connections: 4 });
    expect(run.kpi.rows.map((r) => [r.metric, r.target])).toEqual([
      ['bare node:http JSON', 'baseline'],
      ['bare Hono on @hono/node-server, GET /health', 'info'],
      ['SUT GET /health', '≥ 0.90 × bare'],
      ['SUT GET /api/users/:id (warm, ids 1..20)', '≥ 0.80 × bare'],
    ]);
    for (const row of run.kpi.rows) {
      expect(row.cells.rps).toMatchObject({ unit: 'req/s' });
      expect(row.cells.ratio).toMatchObject({ unit: '×' });
    }
    expect(run.kpi.rows[0]!.cells.ratio!.value).toBe(1);
    expect(run.checks.map((c) => c.name)).toEqual([
      'overhead: SUT GET /health',
      'overhead: SUT GET /api/users/:id (warm, ids 1..20)',
    ]);
    // The goals decide the exit code (whatever this machine measures), as they always have.
    expect(code).toBe(run.checks.every((c) => c.passed) ? 0 : 1);
    const kpiMd = readFileSync(join(outDir, runId!, 'kpi.md'), 'utf8');
    expect(kpiMd).toContain('| Metric | Target | req/s | ratio to bare |');
    expect(io.out()).toBe(kpiMd);
    expect(trackedCount()).toBe(0);
  }, 120_000);
});

describe('loadlab bench engine --quick, for real, without wrk2 on PATH', () => {
  let outDir: string | undefined;
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('writes a valid run.json with every KPI row, says wrk2 is not on PATH, and stops everything it started', async () => {
    outDir = mkdtempSync(join(tmpdir(), 'loadlab-bench-engine-test-'));
    // CI machines have no wrk2; this one may: take it off PATH so the test sees what they see.
    process.env.PATH = (path ?? '')
      .split(delimiter)
      .filter((dir) => !existsSync(join(dir, 'wrk2')))
      .join(delimiter);
    const io = memoryIO();
    const argv = ['bench', 'engine', '--quick', '--connections', '4', '--rss-duration', '1s'];
    const code = await main([...argv, '--out', outDir], io);
    const [runId] = readdirSync(outDir);
    const run = JSON.parse(readFileSync(join(outDir, runId!, 'run.json'), 'utf8')) as RunJson;

    expect(validateRunJson(run)).toEqual([]);
    expect(run.kind).toBe('bench-engine');
    expect(code).toBe(0); // the goals colour rows; they set no exit code
    expect(run.config).toMatchObject({
      bench: 'engine',
      quick: true,
      connections: 4,
      probeSec: 1,
      maxProbes: 3,
      rssDurationSec: 1,
      threads: [1],
      capRps: 60_000,
      precisionRps: 1000,
      tools: { wrk2: 'not on PATH' },
    });
    const metrics = run.kpi.rows.map((r) => r.metric);
    expect(metrics).toEqual(
      expect.arrayContaining([
        'Closed engine ÷ autocannon CLI',
        'Closed model, 1 connection, low load: p99',
        'Open engine, 1 thread: highest rate where a probe holds',
        'Send lag p50 at 1000 req/s',
        'Send lag p99 at 1000 req/s',
        'Open p50 at 1000 req/s − closed p50 at 1 connection',
        'Generator CPU at 1000 req/s (% of one core)',
      ]),
    );
    expect(metrics.some((m) => m.includes('wrk2'))).toBe(false);
    const names = run.phases.map((p) => p.name);
    expect(names.slice(0, 4)).toEqual([
      'warm-up',
      'closed, 1 connection (low-load baseline)',
      'closed engine',
      'precision 1000 req/s',
    ]);
    // The bisection from [0, 60,000]: its first probe is 30,000 req/s; three probes at most with --quick.
    const probes = names.filter((n) => n.startsWith('open probe, 1 thread, '));
    expect(probes[0]).toBe('open probe, 1 thread, 30000 req/s');
    expect(probes.length).toBeGreaterThanOrEqual(1);
    expect(probes.length).toBeLessThanOrEqual(3);
    expect(names.at(-1)).toMatch(/^RSS run \d+ req\/s$/);
    const precision = run.phases.find((p) => p.name === 'precision 1000 req/s')!;
    expect(precision).toMatchObject({ model: 'open', targetRps: 1000, generator: { threads: 1 } });
    expect(precision.sendLagMs).toBeDefined();
    expect(io.out()).toContain('wrk2: not on PATH, its comparison skipped');
    expect(io.err()).toContain('bench engine: wrk2 not on PATH');
    expect(trackedCount()).toBe(0);
  }, 120_000);
});
