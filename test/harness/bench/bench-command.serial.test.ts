// `loadlab bench`: generated usage, bad options → exit 2 through the CLI, and one tiny real `bench overhead` whose
// run.json validates and carries the expected KPI rows (serial: it loads real processes for a few seconds).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    ['engine', ['--long', '--duration TIME', '--connections N', '--json']],
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
      ['SUT GET /health', '≥ 0.90 × bare'],
      ['SUT GET /api/users/:id (warm, ids 1..20)', '≥ 0.60 × bare'],
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
